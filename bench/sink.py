"""A local SMTP sink that accepts every message and counts it by recipient domain.

For the domains a phase asks it to `track`, it also notes when each recipient's message
was accepted (wall clock, comparable with the load client's, which runs in another
process); only those, so that memory stays bounded over a whole run.

It stands for the mail relay, which in production runs on another machine: it does
the least an SMTP server can (ESMTP with PIPELINING, one reply per command, the end of
DATA found with one search per read). aiosmtpd, used until now, parsed every message
and cost as much CPU per e-mail as the worker that sent it — on the two cores that the
signing it was measured against needs.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter

HOST = "127.0.0.1"
END = b"\r\n.\r\n"


class _Counts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_domain: Counter[str] = Counter()
        self.peers = 0  # connections that delivered at least one message
        self.last_at: dict[str, float] = {}
        # domain -> {address: time.time() of its first accepted message}
        self.tracked: dict[str, dict[str, float]] = {}
        # For the domains a run asks to `keep` (make cluster reads the links in them):
        # address -> the raw messages it was sent.
        self.kept: set[str] = set()
        self.messages: dict[str, list[bytes]] = {}


class _Session(asyncio.Protocol):
    def __init__(self, counts: _Counts) -> None:
        self.counts, self.buffer, self.data, self.rcpts, self.delivered = counts, b"", False, [], 0
        self.keeping, self.message = False, bytearray()

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, chunk: bytes) -> None:
        self.buffer += chunk
        replies = []
        while self.buffer:
            if self.data:
                end = self.buffer.find(END)
                if end < 0:  # the rest is still to come; keep what may begin the end mark
                    if self.keeping:
                        self.message += self.buffer[:-4]
                    self.buffer = self.buffer[-4:]
                    break
                if self.keeping:
                    self.message += self.buffer[:end]
                self.buffer = self.buffer[end + len(END) :]
                self._delivered()
                replies.append(b"250 OK\r\n")
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                break
            self.buffer = rest
            replies.append(self._command(line))
            if replies[-1].startswith(b"221"):
                break
        if replies:
            self.transport.write(b"".join(replies))
        if replies and replies[-1].startswith(b"221"):
            self.transport.close()

    def _command(self, line: bytes) -> bytes:
        verb = line[:4].upper()
        if verb == b"EHLO":
            return b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        if verb == b"RCPT":
            address = line.partition(b":")[2].strip().strip(b"<>").decode("utf-8", "replace")
            local, _at, domain = address.rpartition("@")
            self.rcpts.append((local, domain.lower()))
            return b"250 OK\r\n"
        if verb == b"DATA":
            # The mark is CRLF.CRLF; an empty message ends with the first ".": begin the
            # data with the CRLF that ended this command.
            self.data, self.buffer = True, b"\r\n" + self.buffer
            self.keeping = any(domain in self.counts.kept for _local, domain in self.rcpts)
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"RSET":
            self.rcpts = []
        if verb == b"QUIT":
            return b"221 Bye\r\n"
        if verb in {b"HELO", b"MAIL", b"RSET", b"NOOP"}:
            return b"250 OK\r\n"
        return b"502 Not implemented\r\n"

    def _delivered(self) -> None:
        now, wall = time.monotonic(), time.time()
        with self.counts.lock:
            for local, domain in self.rcpts:
                self.counts.by_domain[domain] += 1
                self.counts.last_at[domain] = now
                accepted = self.counts.tracked.get(domain)
                if accepted is not None:
                    accepted.setdefault(f"{local}@{domain}", wall)
                if self.keeping and domain in self.counts.kept:
                    message = bytes(self.message).lstrip(b"\r\n")
                    self.counts.messages.setdefault(f"{local}@{domain}".lower(), []).append(message)
            if not self.delivered:
                self.counts.peers += 1
        self.data, self.rcpts, self.delivered = False, [], self.delivered + 1
        self.keeping, self.message = False, bytearray()


class Sink:
    def __init__(self) -> None:
        self.counts = _Counts()
        self.port = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.bind((HOST, 0))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(
                self.loop.create_server(lambda: _Session(self.counts), sock=listener)
            )
            ready.set()
            self.loop.run_forever()
            server.close()
            self.loop.run_until_complete(server.wait_closed())

        self.thread = threading.Thread(target=serve, daemon=True, name="smtp-sink")
        self.thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self.loop is not None and self.thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop = self.thread = None

    def count(self, domain: str) -> int:
        with self.counts.lock:
            return self.counts.by_domain[domain]

    def total(self) -> int:
        with self.counts.lock:
            return sum(self.counts.by_domain.values())

    def last_at(self, domain: str) -> float | None:
        with self.counts.lock:
            return self.counts.last_at.get(domain)

    def connections(self) -> int:
        with self.counts.lock:
            return self.counts.peers

    def track(self, domain: str) -> None:
        """Note from now on when each message to `domain` is accepted (see `accepted`)."""
        with self.counts.lock:
            self.counts.tracked[domain.lower()] = {}

    def accepted(self, domain: str) -> dict[str, float]:
        """{address: time.time() its first message was accepted} for a tracked domain."""
        with self.counts.lock:
            return dict(self.counts.tracked.get(domain.lower(), {}))

    def keep(self, domain: str) -> None:
        """Keep every message to `domain` from now on, whole (see `messages`)."""
        with self.counts.lock:
            self.counts.kept.add(domain.lower())

    def messages(self, address: str) -> list[bytes]:
        """The raw messages (headers and body, dot-stuffed) kept for `address`."""
        with self.counts.lock:
            return list(self.counts.messages.get(address.lower(), []))

    def untrack(self, domain: str) -> None:
        with self.counts.lock:
            self.counts.tracked.pop(domain.lower(), None)
