"""Every e-mail takes one path: three templates (subject, text, HTML), queued as a task.

Queue it inside the transaction that writes the row the e-mail is about: the task row
commits (or rolls back) with it, so there is never a mail about a row that was not saved.
"""

from __future__ import annotations

import uuid
from email.policy import Compat32
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


class _PlainHeaders(Compat32):
    """compat32, except that a header that is plain ASCII on one line short enough for
    SMTP (998) is written as it is instead of being re-folded through email.header —
    that re-folding was a third of the CPU of each confirmation e-mail."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and value.isascii()
            and "\n" not in value
            and "\r" not in value
            and len(name) + len(value) < 990
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


PLAIN_HEADERS = _PlainHeaders()


class Message(EmailMultiAlternatives):
    """EmailMultiAlternatives, cheaper to serialise: a random MIME boundary (the email
    package otherwise compiles a regex per message to pick one) and _PlainHeaders."""

    def message(self):
        msg = super().message()
        msg.policy = PLAIN_HEADERS
        if msg.is_multipart() and not msg.get_boundary():
            msg.set_boundary(f"=_{uuid.uuid4().hex}")
        return msg


def build_message(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    headers: dict[str, str] | None = None,
) -> Message:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = Message(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(html, "text/html")
    return message


@task()
def send_email(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    headers: dict[str, str] | None = None,
) -> None:
    build_message(template, to, context, language, headers).send()


def queue_email(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    headers: dict[str, str] | None = None,
) -> None:
    """Queue a mail; `context` and `headers` must be JSON, they are stored with the job."""
    send_email.enqueue(template, to, context, language, headers)
