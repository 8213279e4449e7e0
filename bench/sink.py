"""A local SMTP sink that accepts every message and counts it by recipient domain."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import Counter

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_domain: Counter[str] = Counter()
        self.peers: set[tuple] = set()  # connections that delivered at least one message
        self.last_at: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        with self.lock:
            self.peers.add((*session.peer, id(session)))
            for rcpt in envelope.rcpt_tos:
                domain = rcpt.rpartition("@")[2].lower()
                self.by_domain[domain] += 1
                self.last_at[domain] = now
        return "250 OK"


class Sink:
    def __init__(self) -> None:
        self.handler = _Counter()
        self.controller: Controller | None = None
        self.port = 0

    def start(self) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.controller = Controller(self.handler, hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def count(self, domain: str) -> int:
        with self.handler.lock:
            return self.handler.by_domain[domain]

    def total(self) -> int:
        with self.handler.lock:
            return sum(self.handler.by_domain.values())

    def last_at(self, domain: str) -> float | None:
        with self.handler.lock:
            return self.handler.last_at.get(domain)

    def connections(self) -> int:
        with self.handler.lock:
            return len(self.handler.peers)
