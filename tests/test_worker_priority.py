"""The worker lowers its own CPU priority (os.nice), so the web goes first."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from undersigned.jobs.management.commands import worker


class QueueRunner:  # the task queue's loop: not what these tests are about
    def __init__(self, **options) -> None:
        pass

    def run(self) -> None:
        pass


@pytest.fixture
def niced(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(worker.os, "nice", calls.append)
    monkeypatch.setattr(worker, "Worker", QueueRunner)
    return calls


def test_the_worker_runs_at_a_lower_priority_than_the_web_by_default(niced, settings):
    assert settings.WORKER_NICE == 10
    call_command("worker", "--batch")
    assert niced == [10]


def test_nice_zero_keeps_the_workers_priority(niced):
    call_command("worker", "--batch", "--nice", "0")
    assert niced == []
