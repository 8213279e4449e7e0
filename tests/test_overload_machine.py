"""The machine-wide limit on requests in Django (lib/overload.MachineInFlight): all the
server processes of one machine share OVERLOAD_MACHINE_IN_FLIGHT slots."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from test_perf_front_door import Call, django_said_hello, environ, never

from undersigned.lib.health import FrontDoor
from undersigned.lib.overload import MachineInFlight

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is Unix only")


@pytest.fixture(autouse=True)
def _own_slots(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the slots live in VAR_DIR/run/in-flight
    settings.PAGE_CACHE_SECONDS = 0


def test_two_processes_share_the_machines_slots(tmp_path):
    # Each MachineInFlight opens its own files, as another process would.
    one, other = MachineInFlight(2, tmp_path), MachineInFlight(2, tmp_path)
    with one.enter() as first, other.enter() as second:
        assert first and second
        with one.enter() as third, other.enter() as fourth:
            assert not third and not fourth
    with other.enter() as again:
        assert again


def test_threads_of_one_process_take_different_slots(tmp_path):
    slots = MachineInFlight(2, tmp_path)
    inside, go_on, answers = threading.Barrier(3), threading.Event(), []

    def request():
        with slots.enter() as admitted:
            answers.append(admitted)
            inside.wait(timeout=5)
            go_on.wait(timeout=5)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait(timeout=5)  # both are in
    with slots.enter() as third:
        assert not third
    go_on.set()
    for thread in threads:
        thread.join()
    assert answers == [True, True]
    with slots.enter() as later:
        assert later


def test_a_killed_server_process_gives_its_slot_back(tmp_path):
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", (
            "import fcntl, sys, time\n"
            f"f = open({str(tmp_path / 'slot.0')!r}, 'a+b')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n"
        )],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        slots = MachineInFlight(1, tmp_path)
        with slots.enter() as admitted:
            assert not admitted
        holder.kill()
        holder.wait(timeout=10)
        with slots.enter() as admitted:
            assert admitted
    finally:
        holder.kill()


def test_a_process_running_nothing_refuses_when_the_others_fill_the_machine(settings):
    settings.OVERLOAD_IN_FLIGHT = 4
    settings.OVERLOAD_MACHINE_IN_FLIGHT = 1
    busy_elsewhere, meanwhile = FrontDoor(None), Call()

    def slow(environ_, start_response):
        # While another server process has this request in Django, one arrives here.
        door(environ("/petitions/1/sign", "POST"), meanwhile)
        return django_said_hello(environ_, start_response)

    door = FrontDoor(never)
    busy_elsewhere.app = slow
    first = Call()
    assert b"".join(busy_elsewhere(environ("/petitions/1/sign", "POST"), first)) == b"from Django"
    assert first.status == "200 OK"
    assert meanwhile.status.startswith("503") and meanwhile.headers["Retry-After"]
    assert door.in_flight.count == 0 and busy_elsewhere.in_flight.count == 0
    door.app = django_said_hello  # the slot was given back: the next one goes in
    assert b"".join(door(environ("/petitions/1/sign", "POST"), Call())) == b"from Django"


def test_a_request_refused_by_its_own_process_takes_no_machine_slot(settings):
    settings.OVERLOAD_IN_FLIGHT = 1
    settings.OVERLOAD_MACHINE_IN_FLIGHT = 1
    door, other = FrontDoor(never), FrontDoor(django_said_hello)
    door.in_flight.count = 1  # its one request is in Django
    refused = Call()
    door(environ("/petitions/1/sign", "POST"), refused)
    assert refused.status.startswith("503")
    assert b"".join(other(environ("/petitions/1/sign", "POST"), Call())) == b"from Django"


def test_no_machine_limit_when_it_is_turned_off(settings):
    settings.OVERLOAD_MACHINE_IN_FLIGHT = 0
    door = FrontDoor(django_said_hello)
    with MachineInFlight(1, settings.VAR_DIR / "run" / "in-flight").enter() as held:
        assert held  # another process holds the only slot there would be
        assert b"".join(door(environ("/x", "POST"), Call())) == b"from Django"


def test_a_slot_freed_behind_a_search_is_still_found(tmp_path, monkeypatch):
    # While `searching` looks at slot 1, the holder of slot 0 leaves and a newcomer takes
    # slot 1: no moment had every slot taken, so the request must not be refused.
    from undersigned.lib import overload

    holder, newcomer, searching = (MachineInFlight(2, tmp_path) for _ in range(3))
    holder._next, newcomer._next, searching._next = 0, 1, 0  # (otherwise by pid)
    real_flock, raced = overload.fcntl.flock, []

    def flock(handle, operation):
        if handle is searching._files[1] and not raced:
            raced.append(True)
            holder_leaves.__exit__(None, None, None)
            newcomer_arrives.__enter__()
        return real_flock(handle, operation)

    holder_leaves = holder.enter()
    assert holder_leaves.__enter__()  # slot 0
    newcomer_arrives = newcomer.enter()
    monkeypatch.setattr(overload.fcntl, "flock", flock)
    with searching.enter() as admitted:
        assert raced and admitted
    newcomer_arrives.__exit__(None, None, None)
