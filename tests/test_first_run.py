"""A checkout where `make run` has run: commands typed later in a new shell (no DEBUG, no
SECRET_KEY, no SITE_URL) use the key and the address `make run` used, and production
without either still refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from undersigned.jobs.management.commands import run

ROOT = Path(__file__).resolve().parent.parent
KEY = "k" * 50


def new_shell(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a new terminal: none of the site's variables set."""
    unset = {"SECRET_KEY", "SITE_URL", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    return {**environment, "VAR_DIR": str(var_dir), **extra}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


SHOW = "from django.conf import settings as s; print(s.SECRET_KEY == 'k' * 50, s.SITE_URL)"


def test_it_uses_the_key_and_address_make_run_left_under_var(tmp_path):
    (tmp_path / "secret-key").write_text(KEY + "\n")
    (tmp_path / "site-url").write_text("http://127.0.0.1:8080\n")
    result = manage("shell", "--no-imports", "-c", SHOW, env=new_shell(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "http://127.0.0.1:8080"]


def test_the_variables_win_over_what_var_holds(tmp_path):
    (tmp_path / "secret-key").write_text(KEY)
    (tmp_path / "site-url").write_text("http://127.0.0.1:8080\n")
    environment = new_shell(tmp_path, SECRET_KEY="v" * 40, SITE_URL="https://p.example.org")
    result = manage("shell", "--no-imports", "-c", SHOW, env=environment)
    assert result.stdout.split() == ["False", "https://p.example.org"]


def test_without_a_key_file_or_variable_it_stops_with_a_message(tmp_path):
    result = manage("check", env=new_shell(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "secret-key").exists()  # nothing is made without DEBUG


def test_a_short_key_file_is_refused(tmp_path):
    (tmp_path / "secret-key").write_text("short")
    result = manage("check", env=new_shell(tmp_path))
    assert result.returncode != 0 and "at least 32 characters" in result.stderr


def test_run_remembers_the_address_and_gives_it_to_the_server_and_worker(
    monkeypatch, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("SITE_URL", raising=False)
    started = []

    def popen(command, env):
        started.append((command, env["SITE_URL"]))
        return SimpleNamespace(poll=lambda: 0, wait=lambda timeout: 0)

    monkeypatch.setattr(run.subprocess, "Popen", popen)
    monkeypatch.setattr(run.signal, "signal", lambda *args: None)
    with pytest.raises(SystemExit):  # the children "stopped" at once
        run.Command().handle(port="8123", host="127.0.0.1")
    assert (tmp_path / "site-url").read_text() == "http://127.0.0.1:8123\n"
    assert [url for _command, url in started] == ["http://127.0.0.1:8123"] * 2


def test_after_make_run_on_another_port_import_prints_links_on_that_port(tmp_path):
    """The README's import command, as typed in a new shell after `PORT=8123 make run`."""
    made_by_make_run = new_shell(tmp_path, DEBUG="1")
    assert manage("migrate", "-v", "0", env=made_by_make_run).returncode == 0
    (tmp_path / "site-url").write_text("http://127.0.0.1:8123\n")

    result = manage("import_petition", "docs/examples/petition.md", env=new_shell(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Address: http://127.0.0.1:8123/petitions/1" in result.stdout
    assert "--open" in result.stdout
