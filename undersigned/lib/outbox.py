"""The local outbox: each e-mail becomes a .eml file that a person can open at /outbox/."""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

NAME = re.compile(r"^[0-9TZ.-]+-[0-9a-f]{32}\.eml$")


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
            path = folder / f"{stamp}-{uuid.uuid4().hex}.eml"
            # Write then rename, so the outbox page never shows half a message.
            partial = path.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes(linesep="\n"))
            partial.rename(path)
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


def read(path: Path) -> Letter:
    message: EmailMessage = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return Letter(
        name=path.name,
        to=str(message["To"]),
        subject=str(message["Subject"]),
        date=str(message["Date"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


def letters(limit: int = 200) -> list[Letter]:
    folder = Path(settings.OUTBOX_DIR or "/nonexistent")
    paths = sorted(folder.glob("*.eml"), reverse=True)[:limit] if folder.is_dir() else []
    return [read(path) for path in paths]


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
    path = Path(settings.OUTBOX_DIR) / name
    if not NAME.match(name) or not path.is_file():
        raise Http404
    return read(path)


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
