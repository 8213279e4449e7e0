"""Where updates reaches the app that publishes responses, without importing it.

responses imports updates: a decision maker's answer is published as an update. The
e-mail that carries an update to signers still says where a response came from (the
domain its private link was sent to, and whether a moderator checked that address),
which only responses knows; it says how from its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from undersigned.updates.models import Update

_answer_origin: Callable[[Update], dict] | None = None


def describe_answers_with(describe: Callable[[Update], dict]) -> None:
    """responses calls this from its AppConfig.ready(), with its answer_origin()."""
    global _answer_origin
    _answer_origin = describe


def answer_origin(update: Update) -> dict:
    """{"answered_from": domain, "address_checked": bool} for a response; {} otherwise.
    Missing for a response is an error, not {}: its e-mail would then say that no
    moderator had checked the address."""
    if update.kind != Update.Kind.RESPONSE:
        return {}
    if _answer_origin is None:
        raise ImproperlyConfigured(
            "No installed app describes responses: undersigned.responses does, in its ready()."
        )
    return _answer_origin(update)
