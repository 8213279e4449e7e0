"""A batch of the same e-mail to many people, serialised once.

Building the MIME tree and serialising it with the email package was half of the worker's
CPU per confirmation e-mail, for bytes that differ between two signers only in a few
places: the name and links in each part, the To, Date, Message-ID and per-signer headers.
A MailStencil is the whole message serialised once with a mark in each of those places;
each e-mail is that with the marks replaced. It is checked against the email package's
own bytes for the first recipient, and any recipient whose values the email package
would encode differently (a non-ASCII value in a 7-bit part, a long line, an address or
header that needs encoding) gets the ordinary path instead.
"""

from __future__ import annotations

import uuid
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.utils.html import conditional_escape

from undersigned.lib.smtp import PLAIN

LONGEST_LINE = 998  # RFC 5322; Django switches a part with a longer one to quoted-printable
LONGEST_HEADER = 990  # lib/emails._PlainHeaders writes shorter ASCII headers as they are


def _mark(kind: str, i: int = 0) -> str:
    return f"z{kind}{uuid.uuid4().hex}{i}{kind}z"


class MailStencil:
    """The serialised e-mail with marks; fill() gives one recipient's bytes, or None."""

    def __init__(self, parts: tuple[str, str, str], marks: dict[str, str], header_names):
        from undersigned.lib.emails import _message  # the one place an e-mail is put together

        subject, text, html = parts
        if any(mark in subject for mark in marks.values()):
            raise ValueError("a subject that varies is folded per recipient")
        self.text_marks = marks
        self.html_marks = {name: _mark("h", i) for i, name in enumerate(marks)}
        for name, mark in marks.items():
            html = html.replace(mark, self.html_marks[name])
        self.ascii = (text.isascii(), html.isascii())  # else the part is 8bit whatever fills it
        self.to, self.date, self.message_id = _mark("t"), _mark("d"), _mark("m")
        self.header_marks = {name: _mark("x", i) for i, name in enumerate(header_names)}
        stamps = {"Date": self.date, "Message-ID": self.message_id}
        message = _message(subject, text, html, self.to, self.header_marks, stamps).message()
        self.boundary = message.get_boundary()
        self.data = message.as_bytes(linesep="\r\n")
        self.longest = max(len(line) for line in self.data.split(b"\r\n"))
        self.checked = False

    def same_as(self, message, context: dict, to: str, headers: dict[str, str]) -> bool | None:
        """Whether filling gives the bytes the email package gives for `message` (this
        recipient's e-mail built the ordinary way), but for its own boundary, Date and ID;
        None when this recipient is one the stencil does not take."""
        mime = message.message()
        ours = self.fill(context, to, headers, str(mime["Date"]), str(mime["Message-ID"]))
        if ours is None:
            return None
        ours = ours.replace(self.boundary.encode(), mime.get_boundary().encode())
        return ours == mime.as_bytes(linesep="\r\n")

    def fill(
        self, context: dict, to: str, headers: dict[str, str], date: str = "", message_id: str = ""
    ) -> bytes | None:
        if not PLAIN.fullmatch(to) or set(headers) != set(self.header_marks):
            return None
        values = {name: str(context[name]) for name in self.text_marks}
        escaped = {name: str(conditional_escape(value)) for name, value in values.items()}
        for value in values.values():
            if "\r" in value or "\n" in value:
                return None
        if self.ascii[0] and not all(v.isascii() for v in values.values()):
            return None  # the part would be 8bit, not 7bit
        if self.ascii[1] and not all(v.isascii() for v in escaped.values()):
            return None
        for name, value in headers.items():
            if not value.isascii() or "\r" in value or "\n" in value:
                return None
            if len(name) + len(value) >= LONGEST_HEADER:
                return None
        data = self.data
        for name, mark in self.text_marks.items():
            data = data.replace(mark.encode(), values[name].encode())
        for name, mark in self.html_marks.items():
            data = data.replace(mark.encode(), escaped[name].encode())
        for name, mark in self.header_marks.items():
            data = data.replace(mark.encode(), headers[name].encode())
        data = data.replace(self.to.encode(), to.encode())
        date = date or formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        data = data.replace(self.date.encode(), date.encode())
        message_id = message_id or make_msgid(domain=DNS_NAME)
        data = data.replace(self.message_id.encode(), message_id.encode())
        # Django writes a part with a line longer than that quoted-printable. Only a line
        # with marks grows, by at most what all the values add: look only if it may.
        if len(data) - len(self.data) + self.longest > LONGEST_LINE and any(
            len(line) > LONGEST_LINE for line in data.split(b"\r\n")
        ):
            return None
        return data


class PreparedMail:
    """An e-mail as the bytes SMTP sends; send() over the batch's connection."""

    def __init__(self, to: str, data: bytes):
        self.to, self.data, self.connection = to, data, None

    def send(self) -> None:
        self.connection.send_bytes([self.to], self.data)
