"""Configuration comes from the environment; a malformed value stops start-up clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from undersigned.lib import env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("DEBUG", "maybe", lambda: env.boolean("DEBUG")),
        ("SIGNATURE_TOKEN_DAYS", "ten", lambda: env.integer("SIGNATURE_TOKEN_DAYS", 30)),
        ("SITE_URL", "petitions.example.org", lambda: env.url("SITE_URL", "http://x")),
        ("DATABASE_URL", "mysql2://nope", lambda: env.database("DATABASE_URL", "")),
        ("EMAIL_URL", "pigeon://coop", lambda: env.email("EMAIL_URL", "", ROOT)),
        ("EMAIL_URL", "smtp://:25", lambda: env.email("EMAIL_URL", "", ROOT)),
        ("REDIS_URL", "http://localhost", lambda: env.redis_url("REDIS_URL")),
    ],
)
def test_a_malformed_value_names_the_variable(monkeypatch, name, value, read):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        read()


def test_smtp_urls_set_host_port_and_tls(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://user%40x:p%40ss@mail.example.org:587")
    config = env.email("EMAIL_URL", "", ROOT)
    assert config["EMAIL_HOST"] == "mail.example.org" and config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "user@x" and config["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert config["EMAIL_USE_TLS"] is True


def test_a_directory_email_url_writes_to_the_outbox(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "var/outbox")
    config = env.email("EMAIL_URL", "", ROOT)
    assert config["EMAIL_BACKEND"].endswith("OutboxBackend")
    assert config["OUTBOX_DIR"] == ROOT / "var" / "outbox"


def test_postgres_urls_are_understood(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org:5433/petitions")
    config = env.database("DATABASE_URL", "")
    assert config["ENGINE"].endswith("postgresql") and config["PORT"] == 5433


def test_postgres_connections_come_from_one_pool_per_process(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org/petitions")
    config = env.database("DATABASE_URL", "")
    assert config["OPTIONS"]["pool"]["max_size"] == 10
    assert config["CONN_MAX_AGE"] == 0  # Django hands the connection back to the pool


def test_without_a_pool_each_thread_keeps_its_own_connection(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org/petitions")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")
    config = env.database("DATABASE_URL", "")
    assert "pool" not in config.get("OPTIONS", {}) and config["CONN_MAX_AGE"] == 60


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    config = env.database("DATABASE_URL", "")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_start_up_stops_with_a_clear_message_on_a_bad_value(tmp_path):
    environment = {**os.environ, "SECRET_KEY": "x" * 40, "DEBUG": "perhaps"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment["DEBUG"] = "0"
    environment["VAR_DIR"] = str(tmp_path)  # no key left there by `make run`
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_the_deploy_check_is_clean_with_production_settings():
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "SECRET_KEY": "p" * 20 + "roduction-key-0123456789-abcdefghij", "DEBUG": "0",
        "SITE_URL": "https://petitions.example.org", "ALLOWED_HOSTS": "petitions.example.org",
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
