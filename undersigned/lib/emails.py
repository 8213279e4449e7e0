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
from django.utils.html import conditional_escape
from django_tasks import task

from undersigned.lib.mailbytes import MailStencil, PreparedMail


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
):
    """build_message for one of a batch sent over `connection`, ready to send().

    Where the connection sends bytes (lib/smtp.EmailBackend), the whole e-mail comes
    from a MailStencil (lib/mailbytes.py) kept in `stencils` with the rendered ones; it
    is compared with the ordinary e-mail until one matches, and dropped if one differs.
    Otherwise, and for a recipient the stencil cannot take, it is build_message's."""
    if hasattr(connection, "send_bytes"):
        full = _with_site(context)
        stencil = _stencil(template, full, language, stencils, varying)
        key = ("bytes", id(stencil), tuple(headers))
        if stencil is not None and key not in stencils:
            try:
                stencils[key] = MailStencil(stencil.parts, stencil.marks, tuple(headers))
            except ValueError:
                stencils[key] = None
        mail = stencils.get(key)
        if mail is not None and not mail.checked:  # this one is built the ordinary way
            message = build_message(template, to, context, language, headers)
            verdict = mail.same_as(message, full, to, headers)
            mail.checked = verdict is True
            if verdict is False:
                stencils[key] = None
            message.connection = connection
            return message
        data = mail.fill(full, to, headers) if mail is not None else None
        if data is not None:
            prepared = PreparedMail(to, data)
            prepared.connection = connection
            return prepared
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
