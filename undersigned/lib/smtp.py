"""Django's SMTP backend, without re-parsing the same envelope addresses for every e-mail.

Django parses the sender and each recipient with the email package's full RFC 5322
parser before every message: a fifth of the worker's CPU per confirmation e-mail. The
sender is the same for a whole batch, so its answer is kept; a recipient that is a
plain ASCII dot-atom address (what nearly every signer types) comes out of that parser
unchanged, so it is used as it is. Anything else still takes Django's path.
"""

from __future__ import annotations

import re
import smtplib
from functools import lru_cache

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
PLAIN = re.compile(rf"{ATEXT}(?:\.{ATEXT})*@{LABEL}(?:\.{LABEL})*")


@lru_cache(maxsize=64)
def _sender(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def envelope_address(address: str, encoding: str) -> str:
    if isinstance(address, str) and PLAIN.fullmatch(address):
        return address
    return sanitize_address(address, encoding)


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message) -> bool:
        """Django 5.2's _send, with the two address look-ups above."""
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = _sender(str(email_message.from_email), encoding)
        recipients = [envelope_address(addr, encoding) for addr in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def send_bytes(self, recipients: list[str], data: bytes) -> bool:
        """One e-mail already serialised (lib/mailbytes.py), from DEFAULT_FROM_EMAIL."""
        encoding = settings.DEFAULT_CHARSET
        with self._lock:
            if self.connection is None and not self.open():
                return False
            sender = _sender(str(settings.DEFAULT_FROM_EMAIL), encoding)
            envelope = [envelope_address(addr, encoding) for addr in recipients]
            try:
                self.connection.sendmail(sender, envelope, data)
            except smtplib.SMTPException:
                if not self.fail_silently:
                    raise
                return False
            return True
