"""The cluster on one machine: PostgreSQL primary + replica, Redis, two web nodes, two
workers, an SMTP sink and nginx in front, all on loopback and under var/cluster/.

Each node has its own VAR_DIR (var/cluster/node1, node2) and shares with the others only
what a real cluster shares: the databases, Redis, the file store (STORAGE_DIR), the secret
key and the transparency log's signing key. Processes start in process groups of their
own (bench/stack.py) and `Cluster.close()` stops every one of them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.sink import Sink
from bench.stack import HOST, PY, ROOT, THREADS, Started, free_port, spawn, stop
from cluster import nginx
from cluster.postgres import Postgres

VAR = ROOT / "var" / "cluster"


class Cluster(Started):
    """`with Cluster(...) as cluster:` everything runs; on the way out everything stops."""

    def __init__(
        self, var: Path = VAR, nodes: int = 2, web_workers: int = 2, workers: int = 2,
        checkpoint_seconds: int = 4,
    ) -> None:  # fmt: skip
        self.var, self.node_count, self.web_workers = var, nodes, web_workers
        self.worker_count, self.checkpoint_seconds = workers, checkpoint_seconds
        self.pg: Postgres | None = None
        self.sink = Sink()
        self.redis: subprocess.Popen | None = None
        self.redis_port = free_port()
        self.node_ports = [free_port() for _ in range(nodes)]
        # nginx: one entry spreading over every node, and one per node ("pinned"), the same
        # template filled for one node, so that a step can go through nginx to a chosen node.
        self.port = free_port()
        self.pinned_ports = [free_port() for _ in range(nodes)]
        self.web: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.proxy: nginx.Nginx | None = None
        self.env: dict[str, str] = {}
        self.started = time.monotonic()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def pinned(self, node: int) -> str:
        """nginx's address that reaches node `node` (0-based) only."""
        return f"http://{HOST}:{self.pinned_ports[node]}"

    def node_var(self, node: int) -> Path:
        return self.var / f"node{node + 1}"

    def node_env(self, node: int) -> dict[str, str]:
        return {**self.env, "VAR_DIR": str(self.node_var(node))}

    # Starting.

    def start(self) -> None:
        if self.var.exists():
            shutil.rmtree(self.var)
        self.var.mkdir(parents=True)
        self.step("PostgreSQL primary")
        self.pg = Postgres(self.var)
        self.pg.start()
        self.step("Redis, SMTP sink")
        self._start_redis()
        self.sink.start()
        self.env = self._environment()
        self.step("migrate, collectstatic")
        self.manage(0, "migrate", "--noinput", "-v", "0", "--skip-checks")
        self.manage(0, "collectstatic", "--noinput", "-v", "0", "--skip-checks")
        for node in range(1, self.node_count):  # the same files, as a deploy copies them
            shutil.copytree(self.node_var(0) / "static", self.node_var(node) / "static")
        self.step("streaming replica (pg_basebackup)")
        self.pg.start_replica()
        self.pg.wait_caught_up()
        self.step(f"{self.node_count} web nodes, {self.worker_count} workers, nginx")
        for node, port in enumerate(self.node_ports):
            self.web.append(self._granian(node, port))
        for port in self.node_ports:
            self._wait_http(f"http://{HOST}:{port}/", 90)
        self.start_workers()
        self._start_nginx()
        self._wait_http(f"{self.base}/", 30)

    def step(self, what: str) -> None:
        print(f"-- {time.monotonic() - self.started:5.1f} s  {what}", flush=True)

    def _environment(self) -> dict[str, str]:
        assert self.pg is not None
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PG"))},
            "DJANGO_SETTINGS_MODULE": "undersigned.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "TRANSPARENCY_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": self.base,
            "DATABASE_URL": self.pg.primary_url,
            "DATABASE_REPLICA_URLS": self.pg.replica_url,
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "STORAGE_DIR": str(self.var / "shared"),
            "CLUSTER_NODES": str(self.node_count),
            "EMAIL_URL": f"smtp://{HOST}:{self.sink.port}",
            "LOG_LEVEL": "WARNING",
            # nginx is one proxy; the load generator plays the crowd and says who each
            # signer is in X-Forwarded-For, as a CDN in front of nginx would: two proxies.
            "TRUSTED_PROXY_COUNT": "2",
            # Every pack goes to the workers, so that "made by one worker" is true.
            "DELIVERY_INLINE_MAX": "0",
            "TRANSPARENCY_CHECKPOINT_SECONDS": str(self.checkpoint_seconds),
            "CLOCK_SECONDS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def _start_redis(self) -> None:
        folder = self.var / "redis"
        folder.mkdir()
        args = [
            shutil.which("redis-server") or "redis-server", "--bind", HOST,
            "--port", str(self.redis_port), "--save", "", "--appendonly", "no",
            "--dir", str(folder),
        ]  # fmt: skip
        self.redis = spawn(args, dict(os.environ), folder / "redis.log")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.redis_port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start; see {folder / 'redis.log'}")

    def _granian(self, node: int, port: int) -> subprocess.Popen:
        """As docs/operations.md and bench/stack.py run it."""
        self.node_var(node).mkdir(parents=True, exist_ok=True)
        args = [
            PY, "-m", "granian", "--interface", "wsgi", "undersigned.wsgi:application",
            "--workers", str(self.web_workers), "--blocking-threads", str(THREADS),
            "--backpressure", str(THREADS), "--host", HOST, "--port", str(port),
            "--no-access-log", "--workers-kill-timeout", "5",
        ]  # fmt: skip
        return spawn(args, self.node_env(node), self.node_var(node) / "granian.log")

    def start_workers(self) -> None:
        """Worker i runs with node i's VAR_DIR (the machine it would run on)."""
        while len(self.workers) < self.worker_count:
            node = len(self.workers) % self.node_count
            args = [PY, "manage.py", "worker"]
            log = self.node_var(node) / f"worker{len(self.workers) + 1}.log"
            self.workers.append(spawn(args, self.node_env(node), log))

    def _start_nginx(self) -> None:
        static = self.node_var(0) / "static"  # what collectstatic wrote (same on every node)
        nodes = [f"{HOST}:{port}" for port in self.node_ports]
        entries = [("undersigned", self.port, nodes)] + [
            (f"node{i + 1}", port, [nodes[i]]) for i, port in enumerate(self.pinned_ports)
        ]
        cache = self.var / "nginx"
        sites = [
            nginx.render(name=name, listen=f"{HOST}:{port}", nodes=upstream,
                         static_root=static, cache_path=cache / f"cache-{name}")
            for name, port, upstream in entries
        ]  # fmt: skip
        self.proxy = nginx.Nginx(self.var / "nginx", sites)
        self.proxy.start()

    # Helpers for the scenario.

    def manage(self, node: int, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [PY, "manage.py", *args], env=self.node_env(node), cwd=ROOT, capture_output=True,
            text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def helper(self, node: int, *args: object, timeout: float = 120) -> dict:
        """A cluster.seed command inside Django with node `node`'s settings; its JSON."""
        done = subprocess.run(
            [PY, "-m", "cluster.seed", *map(str, args)], env=self.node_env(node), cwd=ROOT,
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"cluster.seed {args[0]} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def pause_worker(self, index: int, paused: bool) -> None:
        """Freeze (SIGSTOP) or thaw one worker, so that the other one does the work."""
        os.killpg(self.workers[index].pid, signal.SIGSTOP if paused else signal.SIGCONT)

    def logs(self) -> list[str]:
        return [path.read_text(errors="replace") for path in self.var.glob("node*/*.log")]

    def _wait_http(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in self.web):
                raise RuntimeError(f"a web node exited; see {self.var}/node*/granian.log")
            try:
                with urllib.request.urlopen(url, timeout=2):  # loopback only
                    return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
                time.sleep(0.5)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {timeout} s")

    # Stopping.

    def close(self) -> None:
        """Everything stops, whatever failed: all are told at once (the workers thawed
        first), then each is waited for; the page cache's files go, the logs stay."""
        self.step("stopping everything")
        for index in range(len(self.workers)):
            with contextlib.suppress(ProcessLookupError):
                self.pause_worker(index, False)
        if self.proxy is not None:
            self.proxy.stop()
        processes = [*self.workers, *self.web, self.redis]
        for proc in filter(None, processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in processes:  # a throwaway cluster: no need to wait long for anyone
            stop(proc, grace=5.0)
        self.workers, self.web, self.redis = [], [], None
        self.sink.stop()
        if self.pg is not None:
            self.pg.close()
        for cache in (self.var / "nginx").glob("cache-*"):
            shutil.rmtree(cache, ignore_errors=True)
