"""Every e-mail takes one path: three templates (subject, text, HTML), queued as a task.

Queue it inside the transaction that writes the row the e-mail is about: the task row
commits (or rolls back) with it, so there is never a mail about a row that was not saved.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape
from django_tasks import task

Message = EmailMultiAlternatives


def build_message(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    headers: dict[str, str] | None = None,
    stencils: dict | None = None,
    varying: tuple[str, ...] = (),
) -> Message:
    """The e-mail, rendered from its three templates.

    For a batch of the same e-mail to many people, pass a `stencils` dict (kept by the
    caller for the batch) and the names of the context values that differ per recipient:
    the templates are then rendered once per language and shared values, and each
    recipient's values are put in place (HTML-escaped in the HTML part).
    """
    context = _with_site(context)
    stencil = _stencil(template, context, language, stencils, varying)
    if stencil is not None:
        subject, text, html = stencil.fill(context)
        return _message(subject, text, html, to, headers)
    subject, text, html = _render(template, context, language)
    return _message(subject, text, html, to, headers)


def _with_site(context: dict[str, Any]) -> dict[str, Any]:
    """What every e-mail template may use besides its own context."""
    return {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}


def _stencil(template, context, language, stencils, varying) -> Stencil | None:
    if stencils is None or not varying:
        return None
    shared = tuple(sorted((k, str(v)) for k, v in context.items() if k not in varying))
    key = (template, language, shared)
    if key not in stencils:
        stencils[key] = Stencil.checked(template, context, language, varying)
    return stencils[key]


def build_mail(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    headers: dict[str, str],
    stencils: dict,
    varying: tuple[str, ...],
    connection,
) -> Message:
    """build_message for one of a batch sent over `connection`, ready to send()."""
    message = build_message(template, to, context, language, headers, stencils, varying)
    message.connection = connection
    return message


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    with translation.override(language):
        return (
            render_to_string(f"emails/{template}_subject.txt", context),
            render_to_string(f"emails/{template}.txt", context),
            render_to_string(f"emails/{template}.html", context),
        )


def _message(
    subject: str, text: str, html: str, to: str, headers: dict | None, stamps: dict | None = None
) -> Message:
    """`stamps`: a Date and Message-ID of the caller's, where Django writes its own."""
    message = Message(
        subject=" ".join(subject.split()),
        body=text,
        to=[to],
        headers={**(stamps or {}), "Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(html, "text/html")
    return message


class Stencil:
    """The three parts rendered once with a unique mark in place of each varying value."""

    def __init__(self, template: str, context: dict[str, Any], language: str, varying):
        self.marks = {name: f"zq{uuid.uuid4().hex}{i}qz" for i, name in enumerate(varying)}
        self.parts = _render(template, {**context, **self.marks}, language)

    @classmethod
    def checked(cls, template, context, language, varying) -> Stencil | None:
        """A stencil, if filling it gives exactly what rendering does (it would not if a
        template put a varying value through a filter); None: render each one."""
        stencil = cls(template, context, language, varying)
        if stencil.fill(context) != _render(template, context, language):
            return None
        return stencil

    def fill(self, context: dict[str, Any]) -> tuple[str, str, str]:
        subject, text, html = self.parts
        for name, mark in self.marks.items():
            value = str(context[name])
            subject, text = subject.replace(mark, value), text.replace(mark, value)
            html = html.replace(mark, conditional_escape(value))
        return subject, text, html


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
