"""The reference deployment in deploy/: nginx's configuration, run for real in front of two
stand-in nodes, and the systemd units (docs/operations.md, "Running a cluster")."""

from __future__ import annotations

import configparser
import gzip
import http.client
import shlex
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from cluster import nginx
from undersigned.web import shedding

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
needs_nginx = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
    reason="nginx is not installed (apt-get install -y nginx-light)",
)


class StandIn:
    """A web node that answers by path and notes every request it gets."""

    def __init__(self, name: str) -> None:
        self.name, self.seen = name, []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # nginx keeps its connections alive

            def do_GET(self) -> None:
                owner.seen.append((self.command, self.path, dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = f"{owner.name} {len(owner.seen)}".encode()
                self.send_response(303 if self.command == "POST" else 200)
                if self.path.startswith("/public") or self.command == "POST":
                    self.send_header("Cache-Control", "public, max-age=2")
                    self.send_header("Vary", "Accept-Language")  # not Cookie: the key must
                if self.path.startswith("/cookie"):
                    self.send_header("Cache-Control", "public, max-age=2")
                    self.send_header("Set-Cookie", "django_language=fr; Path=/")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_HEAD = do_GET

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def requests(self, path: str) -> int:
        return sum(1 for _method, seen, _headers in self.seen if seen == path)


@pytest.fixture
def proxy(tmp_path):
    """nginx with deploy/nginx/undersigned.conf, filled for two stand-in nodes."""
    nodes = [StandIn("one"), StandIn("two")]
    static = tmp_path / "static"
    static.mkdir()
    (static / "robots.txt").write_text("User-agent: *\n")
    (static / "site.0123456789ab.css").write_text("body { color: black }\n")
    (static / "site.0123456789ab.css.gz").write_bytes(gzip.compress(b"body { color: black }\n"))
    port = _free_port()
    site = nginx.render(
        name="undersigned", listen=f"127.0.0.1:{port}", nodes=[n.address for n in nodes],
        static_root=static, cache_path=tmp_path / "cache",
    )  # fmt: skip
    server = nginx.Nginx(tmp_path / "nginx", [site])
    server.start()
    try:
        _wait(port)
        yield port, nodes
    finally:
        server.stop()
        for node in nodes:
            node.server.shutdown()


def _free_port() -> int:
    from bench.stack import free_port

    return free_port()


def _wait(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            _get(port, "/static/robots.txt")
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not answer")


def _get(port: int, path: str, method: str = "GET", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=b"x=1" if method == "POST" else None, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _reached(nodes: list[StandIn], path: str) -> int:
    return sum(node.requests(path) for node in nodes)


@needs_nginx
def test_a_public_page_is_rendered_once_per_language_cookie_while_it_is_fresh(proxy):
    port, nodes = proxy
    language = {"Cookie": f"{settings.LANGUAGE_COOKIE_NAME}=fr"}
    assert _get(port, "/public")[1]["x-cache"] == "MISS"
    assert _get(port, "/public")[1]["x-cache"] == "HIT"
    assert _get(port, "/public", headers=language)[1]["x-cache"] == "MISS"
    assert _get(port, "/public", headers=language)[1]["x-cache"] == "HIT"
    assert _reached(nodes, "/public") == 2
    time.sleep(2.2)  # max-age=2: then one request refreshes it, the others get the old copy
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: _get(port, "/public"), range(10)))
    assert {status for status, _headers, _body in answers} == {200}
    deadline = time.monotonic() + 5
    while _reached(nodes, "/public") < 3 and time.monotonic() < deadline:
        _get(port, "/public")
        time.sleep(0.1)
    assert _reached(nodes, "/public") == 3


@needs_nginx
def test_posts_cookies_sessions_and_api_keys_always_reach_a_node(proxy):
    port, nodes = proxy
    for _ in range(2):
        assert _get(port, "/public/sign", "POST")[0] == 303
        _get(port, "/cookie")  # sets a cookie: never stored
        _get(port, "/public/mine", headers={"Cookie": "sessionid=abc"})
        _get(port, "/public/https-mine", headers={"Cookie": "__Host-sessionid=abc"})
        _get(port, "/public/api", headers={"Authorization": "Bearer key"})
    for path in ("/public/sign", "/cookie", "/public/mine", "/public/https-mine", "/public/api"):
        assert _reached(nodes, path) == 2, path


@needs_nginx
def test_nodes_get_what_the_application_trusts_from_its_proxy(proxy):
    port, nodes = proxy
    _get(port, "/private", headers={"X-Forwarded-For": "198.51.100.7"})
    ((_method, _path, headers),) = [s for node in nodes for s in node.seen if s[1] == "/private"]
    assert headers["X-Forwarded-For"] == "198.51.100.7, 127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Request-Start"].startswith("t=")
    environ = {"HTTP_X_REQUEST_START": headers["X-Request-Start"]}
    assert 0 <= shedding.waited(environ) < 5  # read as seconds, not as ms or µs


@needs_nginx
def test_requests_are_spread_over_every_node(proxy):
    port, nodes = proxy
    for i in range(20):
        _get(port, f"/private/{i}")
    assert all(node.seen for node in nodes)


@needs_nginx
def test_static_files_are_served_by_nginx_hashed_names_for_a_year(proxy):
    port, nodes = proxy
    status, headers, body = _get(port, "/static/site.0123456789ab.css")
    assert status == 200 and body.startswith(b"body")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    _status, headers, body = _get(
        port, "/static/site.0123456789ab.css", headers={"Accept-Encoding": "gzip"}
    )
    assert headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body).startswith(b"body")
    assert _get(port, "/static/robots.txt")[1]["cache-control"] == "public, max-age=3600"
    assert not any(node.seen for node in nodes)


def test_the_template_keys_pages_by_scheme_and_the_language_cookie():
    site = nginx.render(
        name="n", listen="8080", nodes=["127.0.0.1:8001"], static_root=Path("/s"),
        cache_path=Path("/c"),
    )  # fmt: skip
    (key,) = [line for line in site.splitlines() if "proxy_cache_key" in line]
    assert f"$cookie_{settings.LANGUAGE_COOKIE_NAME}" in key
    assert "$scheme" in key
    assert not [line for line in site.splitlines() if "{{" in line and "#" not in line]


# systemd


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(UNITS / name)
    return parser


def _command(unit: configparser.ConfigParser) -> list[str]:
    return shlex.split(unit["Service"]["ExecStart"].replace("\\\n", " "))


def test_the_web_unit_runs_granian_with_options_it_has():
    from granian.cli import cli

    command = _command(_unit("undersigned-web@.service"))
    assert command[0] == "/srv/undersigned/.venv/bin/granian"
    known = {opt for param in cli.params for opt in (*param.opts, *param.secondary_opts)}
    assert {arg for arg in command if arg.startswith("--")} <= known
    assert "undersigned.wsgi:application" in command


def test_the_worker_unit_is_niced_and_weighs_less_than_the_web():
    from django.core.management import load_command_class

    web, worker = _unit("undersigned-web@.service"), _unit("undersigned-worker@.service")
    assert int(worker["Service"]["Nice"]) == 10
    assert int(worker["Service"]["CPUWeight"]) < int(web["Service"]["CPUWeight"])
    command = _command(worker)
    assert command[:3] == ["/srv/undersigned/.venv/bin/python", "manage.py", "worker"]
    parser = load_command_class("undersigned.jobs", "worker").create_parser("manage.py", "worker")
    assert parser.parse_args(command[3:]).nice == 0  # systemd's Nice= applies, not twice


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is missing")
def test_systemd_accepts_the_units_installed_in_this_checkout(tmp_path):
    env = tmp_path / "env"
    env.write_text("SECRET_KEY=x\n")
    installed = []
    for unit in sorted(UNITS.glob("*.service")):
        text = unit.read_text().replace("/etc/undersigned/env", str(env))
        text = text.replace("/srv/undersigned", str(ROOT))
        (tmp_path / unit.name.replace("@", "@1")).write_text(text)
        installed.append(str(tmp_path / unit.name.replace("@", "@1")))
    assert installed
    done = subprocess.run(  # noqa: S603 - our own unit files
        [shutil.which("systemd-analyze"), "verify", "--man=no", *installed],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # Unknown keys and missing programs are only warnings to systemd-analyze: any line
    # about one of the units is a fault here.
    complaints = [line for line in done.stderr.splitlines() if ".service" in line]
    assert done.returncode == 0 and not complaints, done.stderr


# make cluster reads confirmation links from the e-mails its SMTP sink keeps


def test_the_sink_keeps_whole_messages_only_for_the_domains_asked(settings):
    from django.core.mail import EmailMultiAlternatives, get_connection

    from bench.sink import Sink
    from cluster.client import confirmation_token

    sink = Sink()
    sink.start()
    try:
        sink.keep("cluster.test")
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port
        )
        link = f"{settings.SITE_URL}/confirm/42.{'x' * 40}-_Y"
        text = f"Ünïcode, a long line {'word ' * 30}\n.a line that SMTP dot-stuffs\n{link}\n"
        messages = [
            EmailMultiAlternatives("Confirm", text, to=[to], connection=connection)
            for to in ("Signer@cluster.test", "someone@elsewhere.test")
        ]
        messages[0].attach_alternative(f"<p><a href='{link}'>Confirm</a></p>", "text/html")
        connection.send_messages(messages)
        assert confirmation_token(sink, "signer@cluster.test", timeout=5) == f"42.{'x' * 40}-_Y"
        assert sink.messages("someone@elsewhere.test") == []
        assert sink.count("cluster.test") == sink.count("elsewhere.test") == 1
    finally:
        sink.stop()
