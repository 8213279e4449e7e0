"""The worker's mail pump sends full batches at once and lets small ones fill up."""

import threading
import time

import pytest

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

    def send(**options):
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


def test_after_a_full_batch_that_got_little_of_the_cpu_the_pump_rests(monkeypatch, settings):
    """A busy web shows as a pump whose e-mails took longer on the clock than in CPU time.
    Facing a backlog (a full batch) it rests in proportion; after a batch that had the CPU
    to itself it goes on at once; a pump that keeps up only waits for the batch to fill."""
    settings.CONFIRMATION_MAIL_BATCH = 100
    # (sent, cpu, wall): full with all of a CPU, full with a quarter, partial with a quarter
    batches = iter([(100, 0.2, 0.2), (100, 0.1, 0.4), (7, 0.1, 0.4)])
    clock = Clock(rounds=3)

    def send(share):
        batch = next(batches, None)
        if batch is None:
            clock.set()
            return 0
        sent, share.cpu, share.wall = batch
        return sent

    monkeypatch.setattr(mailing, "send_confirmation_mails", send)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    worker.run_mail_pump(clock, 0.25)
    rest, *after = clock.waits  # none after the first batch
    assert 0 < rest < 0.25  # 15 × the (short) second batch's length
    assert after == [0.25, 0.25]  # the partial batch and the empty one: the interval only


def test_the_rest_grows_with_how_little_of_the_cpu_the_pump_got():
    assert mailing.pause_after(2.0, 1.0) == 0
    assert mailing.pause_after(2.0, 0.8) == pytest.approx(2.0 * 0.36 / 0.64)  # runs 64 %
    assert mailing.pause_after(2.0, 0.5) == 6.0  # runs a quarter of the time
    # a machine that gives it little or nothing still lets it send a trickle: 1 part in 20
    assert mailing.pause_after(2.0, 0.2) == 2.0 * (1 / mailing.MIN_SHARE - 1)
    assert mailing.pause_after(2.0, 0.0) == 2.0 * (1 / mailing.MIN_SHARE - 1)


def test_a_measured_step_that_did_not_get_the_cpu_lowers_the_share():
    share = mailing.CpuShare()
    assert share.got == 1.0  # nothing measured: assume a quiet machine
    with share.measure():
        time.sleep(0.02)  # waiting inside a measured step reads as not getting the CPU
    assert share.got < 0.5
