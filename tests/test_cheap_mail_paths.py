"""The worker's shortcuts give exactly what Django's own paths give."""

import smtplib

import pytest
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address
from django.urls import reverse

from undersigned.lib import smtp
from undersigned.lib.urls import reverse_with


@pytest.mark.parametrize(
    "argument",
    ["123.abcDEF-_xyz0123", "eyJ:1tX3:abc_-", "with space", "ünïcode", "a%b", "~@!$&'()*+,;="],
)
@pytest.mark.parametrize(
    "name", ["signatures:confirm", "signatures:withdraw", "privacy:unsubscribe"]
)
def test_links_are_the_urls_reverse_gives(name, argument):
    assert reverse_with(name, argument) == reverse(name, args=[argument])


def test_an_argument_reverse_cannot_take_still_fails_as_reverse_does():
    from django.urls import NoReverseMatch

    for argument in ("", "a/b"):
        with pytest.raises(NoReverseMatch):
            reverse_with("signatures:confirm", argument)


@pytest.mark.parametrize(
    "address",
    [
        "bench-1-2@sign.bench", "Anahit.K+petitions@Example.AM", "o'neil@x.io", "a_b@1x.com",
        "x@xn--80ak6aa92e.com", "ünï@example.com", "user@exämple.com", '"quoted local"@x.org',
        "a..b@x.org", "Name <n@x.org>", "trailing.@x.org", "n@-x.org",
    ],
)  # fmt: skip
def test_envelope_addresses_are_what_django_sends(address):
    assert smtp.envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")


def test_the_backend_sends_with_the_envelope_django_would(monkeypatch):
    sent = []

    class Server:
        def sendmail(self, sender, recipients, data):
            sent.append((sender, recipients, data))

    backend = smtp.EmailBackend(host="127.0.0.1", port=1)
    backend.connection = Server()
    message = EmailMessage(
        "Hi", "Body", "Undersigned <no-reply@localhost>", ["a@x.org", "ünï@example.com"]
    )
    assert backend._send(message)
    ((sender, recipients, data),) = sent
    assert sender == sanitize_address("Undersigned <no-reply@localhost>", "utf-8")
    assert recipients == [sanitize_address(a, "utf-8") for a in message.recipients()]
    assert b"Subject: Hi" in data


def test_a_refused_message_raises_unless_told_to_be_silent():
    class Refusing:
        def sendmail(self, *args):
            raise smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no")})

    message = EmailMessage("Hi", "Body", "no-reply@localhost", ["a@x.org"])
    backend = smtp.EmailBackend(host="127.0.0.1", port=1)
    backend.connection = Refusing()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        backend._send(message)
    backend.fail_silently = True
    assert backend._send(message) is False
