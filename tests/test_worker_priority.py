"""`worker --nice N` yields to the web also where the kernel schedules by autogroup."""

from __future__ import annotations

import builtins

from undersigned.jobs.management.commands import worker


def test_the_nice_value_is_written_to_the_process_autogroup(monkeypatch, tmp_path):
    written = tmp_path / "autogroup"
    real_open = builtins.open

    def fake_open(path, *args, **kwargs):
        return real_open(written if path == "/proc/self/autogroup" else path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    worker.lower_autogroup(10)
    assert written.read_text() == "10"


def test_no_autogroups_is_no_error(monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError("no autogroup here")

    monkeypatch.setattr(builtins, "open", refused)
    worker.lower_autogroup(10)  # nothing to do, and no exception
