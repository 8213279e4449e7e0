"""Shed load fast instead of queueing it: a surge gets quick 503s, never silence.

gunicorn's threaded worker accepts every connection it can and queues it for its threads.
When requests arrive faster than they can be served that queue grows, every answer comes
later, clients give up, and the server then works for nobody (bench: the 2× burst).
`QueueTimedWorker` stamps each queued connection with the moment it was queued; the WSGI
front door (undersigned/wsgi.py) answers a request that waited longer than
OVERLOAD_QUEUE_SECONDS with a 503 and `Retry-After` in a fraction of a millisecond — a
cached public page is still served, since that is cheaper than refusing it. A reverse
proxy in front may send the same stamp as `X-Request-Start: t=<unix seconds>`.

    gunicorn -k undersigned.lib.overload.QueueTimedWorker --threads 4 undersigned.wsgi

granian (the server docs/operations.md runs) queues requests in Rust, where no stamp can be
put on them. There `InFlight` bounds the work instead: a process already running
OVERLOAD_IN_FLIGHT requests in Django answers the next with the same fast 503. Given more
blocking threads than that limit, granian keeps handing requests over, so the queue in
front stays short and the refusals stay fast (bench: the 2× burst).

`MachineInFlight` bounds the same work over all the server processes of one machine
(OVERLOAD_MACHINE_IN_FLIGHT). Per process alone, a limit low enough to keep refusals fast
refused people on a machine with room, because connections land unevenly on processes
(bench/RESULTS.md, session 7: a limit of 2 per process refused 14,305 closed-loop signs).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from gunicorn.workers.gthread import ThreadWorker

try:
    import fcntl
except ImportError:  # not Unix: only the per-process limit applies
    fcntl = None

QUEUED_HEADER = "X-UNDERSIGNED-QUEUED"  # seconds since the epoch, set by the worker only
ENVIRON_KEY = "HTTP_" + QUEUED_HEADER.replace("-", "_")


class QueueTimedWorker(ThreadWorker):
    """gthread, plus the time each request was handed to the thread pool, and closing
    connections without lingering on the main thread."""

    def finish_request(self, conn, fs):
        # gthread closes a finished connection "gracefully" on its main thread: half-close,
        # then wait up to 2 s for the client to close too. That thread also accepts and
        # dispatches every other connection, so under load (clients that send
        # `Connection: close`, slow to get the CPU) accepting stalled behind each close:
        # seconds of latency with the web processes half idle (bench: surge, burst).
        # Here the FIN goes out and what the client already sent is drained, without
        # waiting: no reset truncates the answer, and nothing blocks.
        conn.close = partial(_close_now, conn.sock)
        super().finish_request(conn, fs)

    def enqueue_req(self, conn):
        conn.undersigned_queued_at = time.time()
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        # A client must not choose its own stamp: drop any it sent, add ours.
        stamp = getattr(conn, "undersigned_queued_at", None) or time.time()
        req.headers = [(k, v) for k, v in req.headers if k.upper() != QUEUED_HEADER]
        req.headers.append((QUEUED_HEADER, f"{stamp:.6f}"))
        return super().handle_request(req, conn)


class InFlight:
    """How many requests this process is running in Django, bounded."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def enter(self, limit: int) -> Iterator[bool]:
        """Yields whether the request may go on (always, when limit is 0)."""
        with self._lock:
            admitted = not limit or self.count < limit
            if admitted:
                self.count += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    self.count -= 1


class MachineInFlight:
    """How many requests all the server processes of this machine run in Django, bounded.

    A slot is an exclusive flock on one of `size` files in `folder` (on a local disk),
    which every process opens once. The kernel drops a process's locks when it ends,
    however it ends, so a killed server never keeps a slot. Threads of one process share
    its open files (and so its locks), so the process also remembers which slots its own
    threads hold. Open it in the process that serves: a child forked afterwards would
    share the parent's locks (FrontDoor opens it at its first request). Admitting or
    refusing costs a few non-blocking flock calls: microseconds."""

    def __init__(self, size: int, folder: Path) -> None:
        self.size = size
        self._held = [False] * size
        self._lock = threading.Lock()
        self._next = os.getpid() % size if size else 0  # processes start at different slots
        self._files = []
        if fcntl is not None and size:
            folder.mkdir(parents=True, exist_ok=True)
            # Held for the life of the process: opening per request would cost more.
            self._files = [open(folder / f"slot.{n}", "a+b") for n in range(size)]  # noqa: SIM115

    def _take(self) -> int | None:
        with self._lock:
            # Two passes: one pass is not atomic, and a thread descheduled in the middle
            # of it can find every slot taken although one was freed behind it meanwhile
            # (at a full machine, a closed loop of exactly `size` clients was refused
            # now and then). A refusal at real overload costs one more pass: microseconds.
            for step in range(2 * self.size):
                slot = (self._next + step) % self.size
                if self._held[slot]:
                    continue
                try:
                    fcntl.flock(self._files[slot], fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:  # another process holds it
                    continue
                self._held[slot], self._next = True, slot + 1
                return slot
        return None

    def _give_back(self, slot: int) -> None:
        with self._lock, contextlib.suppress(IndexError, ValueError, OSError):  # closed: unlocked
            self._held[slot] = False
            fcntl.flock(self._files[slot], fcntl.LOCK_UN)

    @contextlib.contextmanager
    def enter(self, wanted: bool = True) -> Iterator[bool]:
        """Yields whether the request may go on: False when not `wanted` (refused before
        it got here) or when every slot on the machine is taken; always True when this
        limit is off (size 0, or no flock on this system)."""
        if not wanted or not self._files:
            yield wanted
            return
        slot = self._take()
        try:
            yield slot is not None
        finally:
            if slot is not None:
                self._give_back(slot)

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        self._files = []


def _close_now(sock: socket.socket, graceful: bool = False) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        while sock.recv(65536):  # b"" once the client closed; BlockingIOError: nothing yet
            pass
    with contextlib.suppress(OSError):
        sock.close()


def waited(environ: dict, now: float | None = None) -> float:
    """How long this request queued before a thread took it (0 when nobody said)."""
    stamp = environ.get(ENVIRON_KEY) or environ.get("HTTP_X_REQUEST_START", "")
    if stamp.startswith("t="):
        stamp = stamp[2:]
    try:
        queued = float(stamp)
    except ValueError:
        return 0.0
    if queued > 1e11:  # nginx and others send milliseconds or microseconds
        queued /= 1e3 if queued < 1e14 else 1e6
    return max(0.0, (now or time.time()) - queued)
