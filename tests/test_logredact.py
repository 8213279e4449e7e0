"""Logs never contain e-mail addresses, names, tokens or raw IPs."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.urls import reverse
from support import SIGNER, link_in_last_mail

from undersigned.lib.logredact import RedactFilter, redact
from undersigned.signatures.models import Signature


def sign(client, petition, run_tasks, confirm=True, **fields) -> Signature:
    data = {**SIGNER, **fields}
    client.post(reverse("signatures:sign", args=[petition.pk]), data)
    run_tasks()
    if confirm:
        client.post(link_in_last_mail("confirm"))
    return Signature.objects.get(petition=petition, email=data["email"])


# Logs


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Gone: /confirm/12.s3cr3tS3cr3t-_x", "Gone: /confirm/…"),
        ('"GET /withdraw/eyJhbGci:1abc:xyz HTTP/1.1" 200 5', '"GET /withdraw/… HTTP/1.1" 200 5'),
        ("/confirm/12.secretsecretsecret/resend", "/confirm/…/resend"),
        ("/thanks/k /unsubscribe/k /my-data/3.k /accounts/sign-in/k", None),
        ("GET /accounts/sign-in/ HTTP/1.1", "GET /accounts/sign-in/ HTTP/1.1"),
        ("mail to Anahit.K+x@example.am failed", "mail to [email] failed"),
        ("from 203.0.113.7, via 2001:db8::42.", "from [ip], via [ip]."),
        ("::ffff:192.0.2.1 and ::1", None),
        (
            "at 19:59:01,123 on aa:bb:cc:dd:ee:ff v5.2.19",
            "at 19:59:01,123 on aa:bb:cc:dd:ee:ff v5.2.19",
        ),
    ],
)
def test_redaction_hides_link_keys_addresses_and_ips(line, expected):
    result = redact(line)
    if expected is not None:
        assert result == expected
    for secret in ["/k", "3.k", "192.0.2.1", "::1"]:
        assert secret not in result.replace("/…", "")


def test_the_filter_redacts_arguments_and_tracebacks_and_keeps_numbers():
    try:
        raise ValueError("duplicate key anahit@example.am")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "%s took %d ms for %s", ("/withdraw/abc", 12, None),
            exc_info=sys.exc_info(),
        )  # fmt: skip
    assert RedactFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert text.startswith("/withdraw/… took 12 ms for None")
    assert "anahit" not in text and "[email]" in text


def reached_handlers(name: str) -> list[logging.Handler]:
    """The handlers a record logged on `name` reaches, without pytest's own (nor the
    NullHandler logging gives py.warnings, which writes nothing)."""
    found, logger = [], logging.getLogger(name)
    while logger is not None:
        found += [
            h
            for h in logger.handlers
            if not type(h).__module__.startswith("_pytest") and type(h) is not logging.NullHandler
        ]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize(
    "name", ["django.request", "django.server", "django.security", "py.warnings", "undersigned"]
)
def test_every_configured_log_handler_redacts(name):
    handlers = reached_handlers(name)
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactFilter) for f in handler.filters), handler


@pytest.fixture
def console():
    """What the configured console handler writes, while the test runs."""
    stream = io.StringIO()
    handlers = [h for h in reached_handlers("django") if isinstance(h, logging.StreamHandler)]
    old = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, previous in zip(handlers, old, strict=True):
        handler.setStream(previous)


def test_a_410_on_a_confirm_link_logs_no_token(client, petition, run_tasks, console):
    sign(client, petition, run_tasks)
    path = link_in_last_mail("confirm")
    assert client.post(path).status_code == 410
    assert "Gone: /confirm/…" in console.getvalue()
    assert path.rpartition(".")[2] not in console.getvalue()


def test_runserver_access_lines_are_redacted(console):
    logging.getLogger("django.server").warning(
        '"%s" %s %s', "GET /unsubscribe/abc:def:ghi?x=1 HTTP/1.1", "404", "179"
    )
    assert '"GET /unsubscribe/…?x=1 HTTP/1.1" 404 179' in console.getvalue()
    assert "abc:def" not in console.getvalue()


def test_a_refused_request_is_logged_without_its_traceback():
    import logging
    import sys

    from undersigned.lib.logredact import RedactFilter

    try:
        raise PermissionError("no")
    except PermissionError:
        exc_info = sys.exc_info()
    refused = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden", (), exc_info
    )
    refused.status_code = 403
    crashed = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Error", (), exc_info)
    crashed.status_code = 500
    RedactFilter().filter(refused)
    RedactFilter().filter(crashed)
    assert refused.exc_info is None and not refused.exc_text
    assert "PermissionError" in crashed.exc_text
