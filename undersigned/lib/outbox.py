"""The local outbox: each e-mail becomes a .eml file that a person can open at /outbox/.

The files are in the "outbox" storage (OUTBOX_DIR, or STORAGE_BACKEND's bucket), so that
with several nodes a letter the worker on one machine wrote opens on any node.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

NAME = re.compile(r"^[0-9TZ.-]+-[0-9a-f]{32}\.eml$")


def outbox_storage() -> Storage:
    return storages["outbox"]


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        storage = outbox_storage()
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
            data = message.message().as_bytes(linesep="\n")
            storage.save(f"{stamp}-{uuid.uuid4().hex}.eml", ContentFile(data))
        return len(email_messages)


@dataclass
class Letter:
    name: str
    to: str
    subject: str
    date: str
    text: str
    html: str

    @property
    def to_parts(self) -> list[str]:
        """The address cut after "@" and each dot, where a narrow screen may wrap it."""
        return re.split(r"(?<=[@.])", self.to)


def read(name: str) -> Letter | None:
    """The letter, or None while its file is still empty (created, not yet written: a
    letter's bytes are written in one go, up to 64 KiB, more than any of ours)."""
    with outbox_storage().open(name, "rb") as file:
        data = file.read()
    if not data:
        return None
    message: EmailMessage = email.message_from_bytes(data, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return Letter(
        name=name,
        to=str(message["To"]),
        subject=str(message["Subject"]),
        date=str(message["Date"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


def letters(limit: int = 200) -> list[Letter]:
    """The newest letters first (their names start with the time they were written)."""
    if not settings.OUTBOX_DIR:
        return []
    try:
        _folders, names = outbox_storage().listdir("")
    except FileNotFoundError:  # nothing sent yet
        return []
    newest = sorted((name for name in names if NAME.match(name)), reverse=True)[:limit]
    return [letter for letter in map(read, newest) if letter is not None]


def _enabled() -> None:
    if not (settings.DEBUG and settings.OUTBOX_DIR):
        raise Http404


def outbox_list(request: HttpRequest) -> HttpResponse:
    _enabled()
    return render(
        request, "outbox/list.html", {"letters": letters(), "folder": settings.OUTBOX_DIR}
    )


def _letter(name: str) -> Letter:
    _enabled()
    if not NAME.match(name) or not outbox_storage().exists(name):
        raise Http404
    letter = read(name)
    if letter is None:
        raise Http404
    return letter


def outbox_letter(request: HttpRequest, name: str) -> HttpResponse:
    return render(request, "outbox/letter.html", {"letter": _letter(name)})


# The HTML part as a mail client shows it: in a sandboxed frame of the letter's page, with
# no script, nothing loaded from elsewhere, and links that open in the whole window.
LETTER_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox "
    "allow-top-navigation-by-user-activation; frame-ancestors 'self'"
)


def outbox_letter_html(request: HttpRequest, name: str) -> HttpResponse:
    html = _letter(name).html
    head = '<base target="_top">'
    html = html.replace("<head>", "<head>" + head, 1) if "<head>" in html else head + html
    response = HttpResponse(html)
    response["Content-Security-Policy"] = LETTER_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response.xframe_options_exempt = True  # type: ignore[attr-defined]  (ours, above)
    return response
