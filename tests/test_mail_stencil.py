"""A batch's e-mails rendered once per language (lib/emails.Stencil) read exactly like each
one rendered alone, and over SMTP each signer gets their own working links."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.conf import settings
from django.test import Client

from undersigned.lib import emails
from undersigned.signatures import mailing
from undersigned.signatures.actions import SignRequest, sign_petition
from undersigned.signatures.models import Signature

VARYING = ("name", "confirm_url", "withdraw_url", "unsubscribe_url")
SHARED = {"petition_title": "Save the Komitas Park", "petition_url": "https://x.test/p/1",
          "days": 30}  # fmt: skip


def _context(name: str, n: int = 1, long: int = 0) -> dict:
    return {
        "site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, "name": name,
        "confirm_url": f"https://x.test/confirm/{n}.{'a' * (24 + long)}", **SHARED,
        "withdraw_url": f"https://x.test/withdraw/k{n}", "unsubscribe_url": f"https://x.test/u/k{n}",
    }  # fmt: skip


def _headers(context: dict) -> dict:
    return {"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}  # fmt: skip


def _ordinary(context: dict, to: str, language: str):
    shared = {k: v for k, v in context.items() if k not in ("site_url", "site_name")}
    return emails.build_message("confirm_signature", to, shared, language, _headers(context))


@pytest.mark.parametrize("language", ["en", "hy", "fr"])
@pytest.mark.parametrize(
    "name", ["Anahit Karapetyan", "Анаит Карапетян", "Tom & Jerry <3", 'O\'Neil "Bud"']
)
def test_a_message_from_the_batch_stencil_is_the_one_rendered_alone(language, name):
    context, stencils = _context(name, 7), {}
    shared = {k: v for k, v in context.items() if k not in ("site_url", "site_name")}
    first = {k: v for k, v in _context("Lilit", 3).items() if k not in ("site_url", "site_name")}
    emails.build_message(
        "confirm_signature", "x@example.am", first, language, None, stencils, VARYING
    )
    from_stencil = emails.build_message(
        "confirm_signature", "a.b@example.am", shared, language, _headers(context), stencils,
        VARYING,
    )  # fmt: skip
    alone = _ordinary(context, "a.b@example.am", language)
    assert any(stencils.values()), "the stencil was used"
    assert (from_stencil.subject, from_stencil.body) == (alone.subject, alone.body)
    assert from_stencil.alternatives == alone.alternatives


class Server:
    """smtplib.SMTP as the SMTP backend opens it, keeping what it is sent."""

    sent: list[tuple[str, list[str], bytes]] = []

    def __init__(self, host, port, **options):
        pass

    def sendmail(self, sender, recipients, data):
        Server.sent.append((sender, recipients, data if isinstance(data, bytes) else data.encode()))
        return {}

    def quit(self):
        pass

    close = quit


@pytest.mark.django_db
def test_a_batch_over_smtp_gives_each_signer_their_own_working_link(
    petition, monkeypatch, settings
):
    from django.core.mail.backends import smtp

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr(smtp.smtplib, "SMTP", Server)
    Server.sent = []
    names = ["Anahit Karapetyan", "Tom & Jerry", "Анаит Карапетян", "Aram Petrosyan", "Lilit"]
    for n, name in enumerate(names):
        sign_petition(petition, SignRequest(name=name, email=f"s{n}@example.am", country="AM"))
    assert mailing.send_confirmation_mails() == len(names)
    assert len(Server.sent) == len(names)
    for sender, (recipient,), data in Server.sent:
        message = email.message_from_bytes(data, policy=policy.default)
        signature = Signature.objects.get(email=recipient)
        assert message["To"] == recipient and "no-reply" in sender
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert signature.name in text
        assert signature.name.replace("&", "&amp;") in html
        path = re.search(r"https?://[^/\s]+(/confirm/\S+)", text).group(1)
        assert Client().post(path).status_code in (200, 303)
    assert Signature.objects.filter(confirmed_at__isnull=False).count() == len(names)


@pytest.mark.django_db
def test_an_update_over_smtp_reaches_each_signer_in_their_language(
    petition, monkeypatch, settings, run_tasks
):
    from django.core.mail.backends import smtp
    from test_updates_support import add_signer

    from undersigned.updates import actions

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setattr(smtp.smtplib, "SMTP", Server)
    Server.sent = []
    signers = [add_signer(petition, n, language="fr" if n % 3 == 0 else "en") for n in range(7)]
    actions.post_update(petition, title="News", text="Something **happened**.", email=True)
    run_tasks()
    assert sorted(to for _s, (to,), _d in Server.sent) == sorted(s.email for s in signers)
    links = set()
    for _sender, (recipient,), data in Server.sent:
        message = email.message_from_bytes(data, policy=policy.default)
        signer = next(s for s in signers if s.email == recipient)
        text = message.get_body(("plain",)).get_content()
        assert signer.name in text and ("Bonjour" in text) == (signer.language == "fr")
        link = message["List-Unsubscribe"].strip().strip("<>")
        assert (
            link in text
            and "<strong>happened</strong>" in message.get_body(("html",)).get_content()
        )
        links.add(link)
    assert len(links) == len(signers)  # each their own
