"""The worker's mail pump sends full batches at once and lets small ones fill up."""

import threading

from undersigned.jobs.management.commands import worker
from undersigned.signatures import mailing


class Clock(threading.Event):
    """A stop event that records the waits and stops after `rounds` batches."""

    def __init__(self, rounds: int):
        super().__init__()
        self.rounds, self.waits = rounds, []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return self.is_set()


def test_a_full_batch_is_followed_at_once_and_a_partial_one_after_the_interval(
    monkeypatch, settings
):
    settings.CONFIRMATION_MAIL_BATCH = 100
    batches = iter([100, 100, 7, 0])
    clock = Clock(rounds=4)
    log = []

    def send():
        sent = next(batches, None)
        if sent is None:
            clock.set()
            return 0
        log.append((sent, len(clock.waits)))
        return sent

    monkeypatch.setattr(mailing, "send_confirmation_mails", send)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    worker.run_mail_pump(clock, 0.25)
    # waits before each batch: none after the two full ones, one after 7, one after 0
    assert log == [(100, 0), (100, 0), (7, 0), (0, 1)]
    assert clock.waits[:2] == [0.25, 0.25]
    from django.core.cache import cache

    assert cache.get(mailing.PUMP_ALIVE_KEY)  # signing stops queueing nudge tasks
