"""The mail pump gives way to the web while other processes fill the machine's CPUs."""

import pytest

from undersigned.jobs.management.commands import worker
from undersigned.lib import cpuload
from undersigned.signatures import mailing
from undersigned.signatures.actions import SignRequest, sign_petition
from undersigned.signatures.models import Signature
from undersigned.signatures.tasks import deliver_confirmations


class Machine:
    """/proc/stat and this process's CPU clock, moved forward by hand."""

    def __init__(self):
        self.busy = self.total = self.mine = 0.0

    def run(self, seconds, busy_cpus, my_cpus, cpus=2):
        self.busy += seconds * busy_cpus
        self.total += seconds * cpus
        self.mine += seconds * my_cpus

    def gauge(self, share, monkeypatch, clock):
        monkeypatch.setattr(cpuload.time, "monotonic", lambda: clock[0])
        return cpuload.GiveWay(
            share, cpus=2, read=lambda: (self.busy, self.total), own=lambda: self.mine
        )


def test_no_wait_while_the_machine_has_room(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    machine.run(1, busy_cpus=1.4, my_cpus=0.9)  # the worker draining alone
    clock[0] += 1
    assert gauge.pause() == 0


def test_a_worker_that_fills_the_machine_alone_does_not_wait(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    machine.run(1, busy_cpus=2, my_cpus=1.5)  # others use 0.5 of 2 CPUs: a quarter
    clock[0] += 1
    assert gauge.pause() == 0


def test_while_others_fill_the_machine_it_keeps_to_its_share(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)  # 5 % of 2 CPUs: 0.1 CPU
    machine.run(0.5, busy_cpus=2, my_cpus=0.4)  # a batch took 0.2 CPU-s in 0.5 s
    clock[0] += 0.5
    # 0.2 CPU-s at 0.1 CPU is 2 s in all: 1.5 s more
    assert abs(gauge.pause() - 1.5) < 1e-9


def test_batch_after_batch_each_pays_for_itself(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    for _batch in range(3):
        machine.run(0.5, busy_cpus=2, my_cpus=0.4)  # 0.2 CPU-s
        clock[0] += 0.5
        wait = gauge.pause()
        assert abs(wait - 1.5) < 1e-9  # 2 s per batch in all: 0.1 CPU, 5 % of 2
        machine.run(wait, busy_cpus=2, my_cpus=0)
        clock[0] += wait


def test_a_long_idle_spell_buys_at_most_a_second(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    machine.run(30, busy_cpus=2, my_cpus=0)  # idle while others filled the machine
    machine.run(0.5, busy_cpus=2, my_cpus=0.4)
    clock[0] += 30.5
    assert abs(gauge.pause() - (2.0 - cpuload.CREDIT)) < 1e-9


def test_with_one_writer_a_machine_less_busy_counts_as_full(monkeypatch):
    """SQLite's signers wait for its writer lock with CPUs idle: 85 % busy is its full."""
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    one_writer = machine.gauge(0.05, monkeypatch, clock)
    one_writer.full = cpuload.FULL_ONE_WRITER
    machine.run(0.5, busy_cpus=1.7, my_cpus=0.2)  # signers 1.5 CPUs, the pump 0.2
    clock[0] += 0.5
    assert gauge.pause() == 0
    assert abs(one_writer.pause() - 0.5) < 1e-9  # 0.1 CPU-s at 0.1 CPU: 1 s in all


def test_the_pump_knows_its_database(db):
    from django.db import connection

    expected = cpuload.FULL_ONE_WRITER if connection.vendor == "sqlite" else cpuload.FULL
    assert cpuload.full_for_database() == expected


def test_the_database_backend_of_a_local_postgresql_is_counted(db):
    from django.db import connection

    connection.ensure_connection()
    used = cpuload.database_cpu()
    if connection.vendor == "postgresql":
        assert used > 0  # this test's own backend has done some work by now
    else:
        assert used == 0


def test_two_pumps_on_one_machine_share_one_budget(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    gauge._peers = lambda: 2  # 2.5 % each, 0.05 CPU
    machine.run(0.5, busy_cpus=2, my_cpus=0.4)  # 0.2 CPU-s: 4 s in all, 3.5 s more
    clock[0] += 0.5
    assert abs(gauge.pause() - 3.5) < 1e-9


CHILD = """
import sys, time
from undersigned.lib.cpuload import Peers
peers = Peers("pump", directory=sys.argv[1])
print(peers.mine, flush=True)
time.sleep(60)
"""


def test_the_pumps_on_this_machine_are_counted_and_a_killed_one_is_not(tmp_path):
    import subprocess
    import sys

    mine = cpuload.Peers("pump", directory=str(tmp_path))
    assert mine.mine == 0 and mine.count() == 1
    child = subprocess.Popen(  # noqa: S603 - this interpreter, this test's own code
        [sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "1"  # slot 0 is taken: the next one
        mine._at = -mine.RECOUNT  # count again now
        assert mine.count() == 2
    finally:
        child.kill()
        child.wait()
    mine._at = -mine.RECOUNT
    assert mine.count() == 1  # the kernel dropped the killed one's lock
    again = cpuload.Peers("pump", directory=str(tmp_path))
    assert again.mine == 1  # its slot is free again
    again.close()
    mine.close()


def test_a_batch_after_an_idle_spell_is_judged_by_its_own_time(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.05, monkeypatch, clock)
    machine.run(10, busy_cpus=0.5, my_cpus=0)  # nothing to send, the machine had room
    clock[0] += 10
    gauge.restart()
    machine.run(0.5, busy_cpus=2, my_cpus=0.4)  # then a batch while others fill it
    clock[0] += 0.5
    assert abs(gauge.pause() - 1.5) < 1e-9  # without restart(): 0, a free batch


def test_the_wait_is_bounded(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(0.01, monkeypatch, clock)
    machine.run(1, busy_cpus=2, my_cpus=1)
    clock[0] += 1
    assert gauge.pause() == cpuload.LONGEST_WAIT


def test_share_100_percent_never_waits(monkeypatch):
    machine, clock = Machine(), [0.0]
    gauge = machine.gauge(1, monkeypatch, clock)
    machine.run(1, busy_cpus=2, my_cpus=0.2)
    clock[0] += 1
    assert gauge.pause() == 0


def test_without_proc_stat_it_never_waits():
    gauge = cpuload.GiveWay(0.05, cpus=2, read=lambda: None)
    assert gauge.pause() == 0


def test_this_machine_can_be_read():
    busy, total = cpuload._machine()
    assert 0 < busy <= total


def test_the_pump_waits_after_a_full_batch_when_told_to(monkeypatch, settings):
    settings.CONFIRMATION_MAIL_BATCH = 10
    waits, batches = [], iter([10, 10])

    class Stop:
        def is_set(self):
            return len(waits) >= 2

        def wait(self, timeout=None):
            waits.append(timeout)

    class Full:
        def __init__(self, share, own, peers, full):
            assert share == settings.MAIL_PUMP_BUSY_PERCENT / 100
            assert full == cpuload.full_for_database()

        def pause(self):
            return 0.7

        def restart(self):
            pass

    monkeypatch.setattr(worker, "GiveWay", Full)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(mailing, "send_confirmation_mails", lambda: next(batches))
    worker.run_mail_pump(Stop(), 0.25)
    assert waits == [0.7, 0.7]


@pytest.mark.django_db
def test_the_nudge_task_leaves_the_mail_to_a_running_pump(petition, mailoutbox):
    sign_petition(petition, SignRequest(name="Anahit Karapetyan", email="a@example.am",
                                        country="AM"))  # fmt: skip
    mailing.PUMPING.set()
    try:
        assert deliver_confirmations.call() == 0  # the pump, which gives way, sends it
    finally:
        mailing.PUMPING.clear()
    assert not mailoutbox and Signature.objects.get().mail_requested_at is not None
    assert deliver_confirmations.call() == 1  # no pump in this process: the task sends it
    assert len(mailoutbox) == 1
