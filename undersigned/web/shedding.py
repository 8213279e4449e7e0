"""Shed load by expected wait: a request is refused only when it would wait too long.

A crowd of new visitors arrives all at once; most of them can be served within a fraction
of a second, and should be. What must not happen is a queue that grows until every answer
comes after the visitor gave up. So each server process runs at most OVERLOAD_RUNNING
requests in Django at a time and lets the others wait their turn in arrival order, and a
request is answered a fast 503 with `Retry-After` only when its expected wait is longer
than OVERLOAD_QUEUE_MS:

    expected wait = time already queued in a proxy in front (X-Request-Start, when trusted)
                  + requests ahead of it here × the time one takes / OVERLOAD_RUNNING

The time one request takes is measured on this process's own recent requests (a moving
average of their wall-clock time in Django), so the rule follows the machine's real
speed, whatever the hardware and whatever else runs on it. An average lags when a crowd
reaches an idle process and every request suddenly takes many times longer, so it is
checked against what the requests running now show: when no place has freed up for
G seconds, each of them has run at least G, and so the estimate is at least G. Without
that, an idle process let in more of a crowd than it could serve in time, until the
server's own limit on requests held the rest, untimed, in the kernel's queue.

Waiting requests block on a condition variable, not on the interpreter lock, so they
cost no CPU while they wait, and a refusal takes well under a millisecond of Python; on
a saturated machine it still first waits its turn at the interpreter lock behind the
requests running in Django, hence few places (OVERLOAD_RUNNING). The server must hand
requests over to enough threads that the queue forms here, where it can be timed, rather
than inside the server (docs/operations.md: granian's --blocking-threads and
--backpressure).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Iterator

# A new request's expected service time before any was measured: a signature's order of
# magnitude, so a process that just started neither refuses nor admits without bound.
FIRST_GUESS_SECONDS = 0.005
# Weight of the newest request in the moving average: about the last 20 requests count.
SMOOTHING = 0.05


class Admission:
    """This process's requests in Django: at most `running` at once, the rest in order."""

    def __init__(self) -> None:
        self.seconds_per_request = FIRST_GUESS_SECONDS
        self._progress_at = time.monotonic()  # when a place last freed up or was free
        self._running = 0
        self._waiting: deque[threading.Event] = deque()
        self._lock = threading.Lock()

    def expected_wait(self, running: int, now: float) -> float:
        """Seconds a request arriving now would wait for a turn: a place frees up every
        `seconds_per_request / running` on average, and it needs one more than are ahead.
        Places are only taken when others free up, so if none has for G seconds, every
        request running has run at least G: one takes at least G."""
        if self._running < running and not self._waiting:
            return 0.0
        took = max(self.seconds_per_request, now - self._progress_at)
        return (len(self._waiting) + 1) * took / running

    @contextlib.contextmanager
    def enter(self, running: int, limit: float, queued: float = 0.0) -> Iterator[bool]:
        """Yields whether the request may go on, once it is its turn; False at once when
        its expected wait (plus `queued`, the time it already waited in front) is over
        `limit`. `running` 0 or `limit` 0: always admitted at once."""
        if not running or not limit:
            yield True
            return
        with self._lock:
            now = time.monotonic()
            wait = self.expected_wait(running, now)
            if queued + wait > limit:
                admitted = False
            elif self._running < running and not self._waiting:
                self._running += 1
                self._progress_at = now
                admitted, turn = True, None
            else:
                admitted, turn = True, threading.Event()
                self._waiting.append(turn)
        if not admitted:
            yield False
            return
        # An estimate can be wrong (a slow query ahead): a request that has waited twice
        # its limit leaves the line and is refused rather than answered after all hope.
        if turn is not None and not turn.wait(2 * limit) and not self._give_up(turn):
            yield False
            return
        started = time.monotonic()
        try:
            yield True
        finally:
            self._leave(time.monotonic() - started)

    def _give_up(self, turn: threading.Event) -> bool:
        """Leave the line; True if the turn came in the meantime after all."""
        with self._lock:
            if turn.is_set():
                return True
            self._waiting.remove(turn)
            return False

    def _leave(self, took: float) -> None:
        with self._lock:
            self.seconds_per_request += SMOOTHING * (took - self.seconds_per_request)
            self._progress_at = time.monotonic()
            if self._waiting:
                self._waiting.popleft().set()  # the place passes on: _running is unchanged
            else:
                self._running -= 1


def waited(environ: dict, now: float | None = None) -> float:
    """How long a proxy in front says this request queued there (0 when it did not say).

    nginx sends `X-Request-Start: t=${msec}`; others send milliseconds or microseconds."""
    stamp = environ.get("HTTP_X_REQUEST_START", "")
    if stamp.startswith("t="):
        stamp = stamp[2:]
    try:
        queued = float(stamp)
    except ValueError:
        return 0.0
    if queued > 1e11:
        queued /= 1e3 if queued < 1e14 else 1e6
    return max(0.0, (now or time.time()) - queued)
