"""nginx in front of the web nodes: deploy/nginx/undersigned.conf, filled in, on loopback.

`render()` fills the template's {{ placeholders }}; `Nginx` wraps one or more filled copies
in a main configuration of its own (pid, logs and temporary files under its directory),
checks it with `nginx -t` and runs it in the foreground until stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from bench.stack import HOST, spawn, stop

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "undersigned.conf"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(found):
        raise SystemExit("nginx is missing: apt-get install -y nginx-light")
    return found


def render(
    *, name: str, listen: str, nodes: list[str], static_root: Path, cache_path: Path,
    server_name: str = HOST,
) -> str:  # fmt: skip
    """The template with every placeholder filled; nodes are HOST:PORT."""
    values = {
        "name": name,
        "listen": listen,
        "server_name": server_name,
        "servers": "\n    ".join(f"server {node} max_fails=3 fail_timeout=5s;" for node in nodes),
        "static_root": str(static_root),
        "cache_path": str(cache_path),
    }
    lines = TEMPLATE.read_text().splitlines(keepends=True)
    used = {name for line in lines if not _comment(line) for name in PLACEHOLDER.findall(line)}
    if used - values.keys():
        raise ValueError(
            f"{TEMPLATE} has placeholders nobody fills: {sorted(used - values.keys())}"
        )
    return "".join(
        line if _comment(line) else PLACEHOLDER.sub(lambda match: values[match.group(1)], line)
        for line in lines
    )


def _comment(line: str) -> bool:
    """The template's comments name the placeholders; they stay as they are."""
    return line.lstrip().startswith("#")


def main_config(sites: list[str], runtime: Path) -> str:
    """A whole nginx.conf around the filled sites: everything nginx writes stays under
    `runtime`. As root, its workers run as root too: the harness's files are root's."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {runtime / ('temp-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    body = "\n".join(sites)
    return f"""{user}worker_processes 1;
pid {runtime / "nginx.pid"};
error_log {runtime / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 100000;
{temp}
{body}
}}
"""


def check(config: Path, runtime: Path) -> None:
    """`nginx -t`: raises with nginx's own words when the configuration is refused."""
    done = subprocess.run(
        [binary(), "-t", "-q", "-c", str(config), "-p", str(runtime)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"nginx -t refused {config}:\n{done.stderr}")


class Nginx:
    """nginx in the foreground with the given sites (filled templates)."""

    def __init__(self, runtime: Path, sites: list[str]) -> None:
        self.runtime, self.sites = runtime, sites
        self.config = runtime / "nginx.conf"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.config.write_text(main_config(self.sites, self.runtime))
        check(self.config, self.runtime)
        args = [binary(), "-c", str(self.config), "-p", str(self.runtime), "-g", "daemon off;"]
        self.proc = spawn(args, dict(os.environ), self.runtime / "nginx.out")

    def stop(self) -> None:
        stop(self.proc, grace=5.0)  # SIGTERM: nginx's fast shutdown
        self.proc = None
