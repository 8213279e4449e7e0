"""A logging filter that keeps secrets and personal data out of the logs.

Django logs request paths ("Not Found: /confirm/12.secret", runserver's access lines)
and exceptions can quote values. Installed on the handler, this rewrites every record
before it is written:

- the key in a link path: `/confirm/12.secret` → `/confirm/…` (also withdraw, thanks,
  unsubscribe, my-data, decision makers' respond and organizers' sign-in links);
- e-mail addresses → `[email]`;
- IPv4 and IPv6 addresses → `[ip]`.

Names cannot be recognised by a pattern: code must simply never log them.

Python's warnings are routed through logging too (`configure`, settings.LOGGING_CONFIG):
a warning quotes whatever it is about (Django's cache quotes a key it finds too long), and
one printed straight to stderr would pass by this filter.
"""

from __future__ import annotations

import ipaddress
import logging
import logging.config
import re
from typing import Any

LINK_PREFIXES = (
    "confirm", "withdraw", "thanks", "unsubscribe", "my-data", "accounts/sign-in", "respond",
    "organizers/invitations", "representatives/answer", "representatives/alerts", "support",
)  # fmt: skip
LINK = re.compile(r"(/(?:" + "|".join(map(re.escape, LINK_PREFIXES)) + r")/)[^\s/?#\"'<>]+")
EMAIL = re.compile(r"[\w.!#$%&'*+=^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
# A run of hex groups with at least two colons, checked by ipaddress below, so that
# times ("19:59:01") and MAC addresses stay as they are.
IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])")
SKIP = (int, float, bool, type(None))
# Django's loggers for requests it refused: "django.security.TooManyFieldsSent" and the like.
REQUEST_LOGGERS = ("django.request", "django.security")


def _ipv6(match: re.Match) -> str:
    text = match.group(0)
    try:
        ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return text
    return "[ip]"


def redact(text: str) -> str:
    text = LINK.sub(r"\1…", text)
    text = EMAIL.sub("[email]", text)
    text = IPV4.sub("[ip]", text)
    return IPV6.sub(_ipv6, text)


def _redact_arg(value: Any) -> Any:
    if isinstance(value, SKIP):
        return value  # keeps %d and %.2f working
    return redact(value if isinstance(value, str) else str(value))


class RedactFilter(logging.Filter):
    """Rewrites the message, its arguments and any traceback; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {key: _redact_arg(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact_arg(value) for value in record.args)
        if getattr(record, "status_code", 500) < 500 and record.name.startswith(REQUEST_LOGGERS):
            # A refused request (400, 403, 404, too many fields...) is a line, not a
            # traceback: tracebacks are for our own errors, and they are easier to spot alone.
            record.exc_info = record.exc_text = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: the dictConfig Django would apply, with warnings logged on
    `py.warnings` (through the redacting handlers) instead of printed to stderr."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
