"""Read configuration from environment variables, failing loudly on a bad value.

Every setting of the site comes through these helpers, so a typo in production stops
start-up with a message that names the variable instead of surfacing later as a 500.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def string(name: str, default: str = "") -> str:
    return _raw(name, default) or default


def boolean(name: str, default: bool = False) -> bool:
    value = _raw(name, None)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no.")


def integer(name: str, default: int, minimum: int = 0) -> int:
    value = _raw(name, None)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def strings(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in string(name, default).split(",") if item.strip()]


def thresholds(name: str, default: str, kinds: tuple[str, ...] = ("response", "escalation")):
    """ "10000:response,100000:escalation" as [(10000, "response"), (100000, "escalation")],
    sorted by count."""
    pairs = []
    for item in strings(name, default):
        count, _colon, kind = item.partition(":")
        if not count.strip().isdigit() or int(count) < 1 or kind.strip() not in kinds:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not COUNT:KIND with a positive COUNT and KIND one of "
                f"{', '.join(kinds)} (e.g. 10000:response,100000:escalation)."
            )
        pairs.append((int(count), kind.strip()))
    return sorted(pairs)


def url(name: str, default: str) -> str:
    value = string(name, default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an http(s) URL such as https://petitions.example.org."
        )
    return value


def secret_key(name: str, path: Path, create: bool) -> str:
    """The variable, else the key kept in `path`, made there first when `create` (DEBUG).

    `make run` (DEBUG=1) keeps one random key under var/ so that sessions survive
    restarts. Any later command in the same checkout uses it too, whatever its DEBUG
    (import_petition in a new shell, say): links it makes must work on that site. With
    neither the variable nor the file, nothing is guessed: production stops here."""
    key = string(name)
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long.")
        return key
    if not path.exists():
        if not create:
            raise ImproperlyConfigured(
                f"{name} is not set. Set it to a long random string (`make run`, or "
                f"DEBUG=1, makes one in {path})."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} must hold at least 32 characters: delete it.")
    return key


def site_url(name: str, remembered: Path) -> str:
    """The variable, else the address `manage.py run` last served (kept in `remembered`
    by jobs/management/commands/run.py), so that `PORT=8080 make run` and then
    import_petition in another shell prints links on 8080."""
    default = "http://127.0.0.1:8000"
    if remembered.exists():
        default = remembered.read_text().strip()
        if not default.startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"{remembered} holds {default!r}: delete it.")
    return url(name, default)


def database(name: str, default: str) -> dict:
    return _database(name, string(name, default))


def replica_databases(name: str) -> list[dict]:
    """Each comma-separated URL of `name` as a read replica's settings: like the primary's,
    but a pool that waits at most 2 s for a connection (a replica that is down must cost
    a visitor little: the primary answers instead) and never a test database of its own."""
    replicas = []
    for value in strings(name):
        config = _database(name, value)
        if "postgresql" not in config["ENGINE"]:
            raise ImproperlyConfigured(f"{name}: read replicas are PostgreSQL databases.")
        options = config.setdefault("OPTIONS", {})
        options["connect_timeout"] = 2
        if "pool" in options:
            options["pool"] = {**options["pool"], "timeout": 2}
        config["TEST"] = {"MIRROR": "default"}
        replicas.append(config)
    return replicas


def _database(name: str, value: str) -> dict:
    import dj_database_url

    try:
        # No per-request health check (a round trip on every request): a dead connection
        # costs one 503 from DatabaseOutageMiddleware, then Django reconnects.
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a database URL such as sqlite:///var/db.sqlite3 "
            f"or postgres://user@host:5432/name ({error})."
        ) from None
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        # WAL lets readers and the worker run while one writer commits; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue up instead of failing with "locked".
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    elif "postgresql" not in engine:
        raise ImproperlyConfigured(f"{name}: only SQLite and PostgreSQL are supported.")
    elif size := integer("DATABASE_POOL_SIZE", 10):
        # One pool per process, shared by its threads, instead of one persistent connection
        # per thread: granian runs Django on many threads a process, and each thread's
        # first request (or the first after CONN_MAX_AGE) would open its own connection,
        # so the start of a surge would open a crowd of PostgreSQL backends at once. The
        # pool opens two at start-up and lends them.
        config["CONN_MAX_AGE"] = 0  # Django returns the connection to the pool instead
        pool = {"min_size": min(2, size), "max_size": size, "timeout": 10}
        config.setdefault("OPTIONS", {})["pool"] = pool
    return config


def email(name: str, default: str, base_dir: Path) -> dict:
    """Map EMAIL_URL to Django e-mail settings.

    smtp://user:password@host:587 (STARTTLS with ?tls or smtp+tls://, implicit TLS with
    smtps://), or a directory (a path or file:///path) where each message is written as
    a .eml file, or console: to print them.
    """
    value = string(name, default)
    parts = urlsplit(value)
    if parts.scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name}={value!r} has no host: smtp://user:pass@host:25")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} has a bad port.") from None
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": parts.scheme == "smtp+tls" or "tls" in parts.query,
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_TIMEOUT": 20,
            "OUTBOX_DIR": None,
        }
    if parts.scheme == "console":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "OUTBOX_DIR": None,
        }
    if parts.scheme in {"", "file"}:
        path = Path(unquote(parts.path) if parts.scheme == "file" else value)
        if not path.is_absolute():
            path = base_dir / path
        return {"EMAIL_BACKEND": "undersigned.lib.outbox.OutboxBackend", "OUTBOX_DIR": path}
    raise ImproperlyConfigured(
        f"{name}={value!r}: use smtp://, smtp+tls://, smtps://, console: or a directory."
    )


def redis_url(name: str) -> str:
    value = string(name, "")
    if value and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name}={value!r} is not a redis:// URL.")
    return value
