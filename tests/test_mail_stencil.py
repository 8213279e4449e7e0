"""A batch's e-mails filled into one serialised message are the bytes the email package
writes for each of them, and a signer it cannot take gets the ordinary e-mail."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.conf import settings
from django.test import Client

from undersigned.lib import emails
from undersigned.lib.mailbytes import MailStencil, PreparedMail
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


def _stencil(language: str) -> MailStencil:
    context = _context("Anahit")
    text = emails._stencil("confirm_signature", context, language, {}, VARYING)
    return MailStencil(text.parts, text.marks, tuple(_headers(context)))


def _ordinary(context: dict, to: str, language: str):
    shared = {k: v for k, v in context.items() if k not in ("site_url", "site_name")}
    return emails.build_message("confirm_signature", to, shared, language, _headers(context))


@pytest.mark.parametrize("language", ["en", "hy", "fr"])
@pytest.mark.parametrize(
    "name", ["Anahit Karapetyan", "Анаит Карапетян", "Tom & Jerry <3", 'O\'Neil "Bud"']
)
def test_each_filled_message_is_the_email_package_s(language, name):
    stencil, context = _stencil(language), _context(name, 7)
    verdict = stencil.same_as(_ordinary(context, "a.b@example.am", language), context,
                              "a.b@example.am", _headers(context))  # fmt: skip
    assert verdict is True


def test_a_non_ascii_value_in_a_7bit_part_is_left_to_the_email_package():
    marks = {"name": "zqNAMEqz"}
    stencil = MailStencil(("Hello", "Dear zqNAMEqz,", "<p>Dear zqNAMEqz,</p>"), marks, ())
    assert stencil.fill({"name": "Anahit"}, "a@x.org", {}) is not None
    assert stencil.fill({"name": "Анаит"}, "a@x.org", {}) is None  # would be 8bit


def test_a_recipient_the_stencil_cannot_take_gets_none():
    stencil, context = _stencil("en"), _context("Anahit")
    assert stencil.fill(context, "ünï@example.com", _headers(context)) is None
    assert stencil.fill(context, "Name <n@x.org>", _headers(context)) is None
    assert stencil.fill(_context("A\nB"), "a@x.org", _headers(context)) is None
    assert stencil.fill(context, "a@x.org", {"X-Other": "1"}) is None


def test_a_line_too_long_for_8bit_is_left_to_the_email_package():
    stencil, context = _stencil("en"), _context("Anahit", long=1000)
    assert stencil.fill(context, "a@x.org", _headers(context)) is None


def test_every_message_gets_its_own_date_and_message_id():
    stencil, context = _stencil("en"), _context("Anahit")
    first, second = (stencil.fill(context, "a@x.org", _headers(context)) for _ in range(2))
    ids = [re.search(rb"Message-ID: (\S+)", data).group(1) for data in (first, second)]
    assert ids[0] != ids[1] and b"Date: " in first


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

    settings.EMAIL_BACKEND = "undersigned.lib.smtp.EmailBackend"
    monkeypatch.setattr(smtp.smtplib, "SMTP", Server)
    Server.sent = []
    built = []
    real = emails.build_mail

    def watched(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(mailing, "build_mail", watched)
    names = ["Anahit Karapetyan", "Tom & Jerry", "Анаит Карапетян", "Aram Petrosyan", "Lilit"]
    for n, name in enumerate(names):
        sign_petition(petition, SignRequest(name=name, email=f"s{n}@example.am", country="AM"))
    assert mailing.send_confirmation_mails() == len(names)
    assert sum(isinstance(mail, PreparedMail) for mail in built) >= 2  # the stencil was used
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


def test_a_stencil_that_differs_from_the_email_package_says_so():
    stencil, context = _stencil("en"), _context("Anahit")
    stencil.data = stencil.data.replace(b"Auto-Submitted: auto-generated", b"Auto-Submitted: no")
    assert stencil.same_as(_ordinary(context, "a@x.org", "en"), context, "a@x.org",
                           _headers(context)) is False  # fmt: skip


def test_a_subject_that_varies_gets_no_stencil():
    with pytest.raises(ValueError):
        MailStencil(("Hello zqNAMEqz", "text", "html"), {"name": "zqNAMEqz"}, ())


@pytest.mark.django_db
def test_when_the_check_fails_the_batch_is_sent_the_ordinary_way(petition, monkeypatch, settings):
    from django.core.mail.backends import smtp

    settings.EMAIL_BACKEND = "undersigned.lib.smtp.EmailBackend"
    monkeypatch.setattr(smtp.smtplib, "SMTP", Server)
    monkeypatch.setattr(MailStencil, "same_as", lambda *args: False)
    Server.sent = []
    for n in range(3):
        sign_petition(petition, SignRequest(name=f"Signer {n}", email=f"s{n}@x.am", country="AM"))
    assert mailing.send_confirmation_mails() == 3
    assert len(Server.sent) == 3


@pytest.mark.django_db
def test_an_update_over_smtp_reaches_each_signer_in_their_language(
    petition, monkeypatch, settings, run_tasks
):
    from django.core.mail.backends import smtp
    from test_updates_support import add_signer

    from undersigned.updates import actions

    settings.EMAIL_BACKEND = "undersigned.lib.smtp.EmailBackend"
    monkeypatch.setattr(smtp.smtplib, "SMTP", Server)
    Server.sent = []
    prepared, send = [], PreparedMail.send
    monkeypatch.setattr(PreparedMail, "send", lambda mail: (prepared.append(1), send(mail)))
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
        link = message["List-Unsubscribe"].strip("<>")
        assert (
            link in text
            and "<strong>happened</strong>" in message.get_body(("html",)).get_content()
        )
        links.add(link)
    assert len(links) == len(signers)  # each their own
    assert len(prepared) >= 3  # from the stencils: all but the first of each language
