"""Every e-mail takes one path: three templates (subject, text, HTML), queued as a task.

Queue it inside the transaction that writes the row the e-mail is about: the task row
commits (or rolls back) with it, so there is never a mail about a row that was not saved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


def build_message(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
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
