"""When something fails, people get a quick, honest answer and nothing is lost."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from support import SIGNER

from undersigned import settings as configured
from undersigned.accounts.models import User
from undersigned.petitions import views as petition_views
from undersigned.signatures.models import Signature


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "up"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_unavailable_when_the_database_does_not(client, db, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503 and response["Retry-After"] == "30"


def test_a_database_outage_is_a_fast_503_page_and_recovery_needs_no_restart(
    client, petition, monkeypatch
):
    def down(*args, **kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(petition_views, "petition_page", down)
    response = client.get(petition.get_absolute_url())
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert b"Nothing has been lost" in response.content
    monkeypatch.undo()
    assert client.get(petition.get_absolute_url()).status_code == 200


def test_signing_during_an_outage_says_so_and_keeps_no_half_row(petition, monkeypatch):
    from undersigned.signatures import actions

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(actions, "sign_petition", down)
    response = Client().post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    assert response.status_code == 503
    assert not Signature.objects.exists()


def test_smtp_down_does_not_stop_signing_and_the_mail_is_retried(
    client, petition, run_tasks, monkeypatch
):
    from django.core import mail

    from undersigned.signatures import mailing as signature_mailing

    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    original = signature_mailing.build_mail

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(signature_mailing, "build_mail", smtp_down)
    with pytest.raises(AssertionError):  # the job fails (run_tasks reports it)…
        run_tasks()
    assert Signature.objects.get().mail_requested_at is not None  # …and the row still asks
    monkeypatch.setattr(signature_mailing, "build_mail", original)
    Signature.objects.update(mail_claimed_at=None)  # as after the claim goes stale
    signature_mailing.send_confirmation_mail(Signature.objects.get().pk)
    assert len(mail.outbox) == 1


def test_staff_password_guessing_is_rate_limited(client, db, moderator, monkeypatch):
    # One fixed window throughout: twelve password checks may straddle a window's edge.
    monkeypatch.setattr("undersigned.lib.ratelimit.time", SimpleNamespace(time=lambda: 600.0))
    url = reverse("admin:login")
    statuses = [
        client.post(url, {"username": "mod@example.org", "password": f"guess-{n}"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429


def test_staff_passwords_are_hashed_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # not the tests' fast one
    staff = User.objects.create_user("staff@example.org", "a-strong-password-1", is_staff=True)
    assert staff.password.startswith("argon2")
    assert staff.check_password("a-strong-password-1")
