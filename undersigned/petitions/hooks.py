"""Where petitions reaches the apps built on it, without importing them.

Signatures, transparency, api and the rest import petitions; petitions imports none of
them. When a petition's life needs them (its count on its page and in its JSON, work to
do when it closes), petitions says so here and they plug in from their
`AppConfig.ready()`. Grep for the names below to find every app that does.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

from undersigned.petitions.models import Petition

state_changed = Signal()
"""A petition moved from one state to another (draft → moderation → open → closed, and
rejected or hidden; with supporters first, draft → support → moderation: supporters.py).

Who sends it: each transition in petitions/actions.py, with `sender=Petition`,
`petition` (the row as saved, in its new state) and `previous` (the state it left).

When: once the row is saved (and the organizer's e-mail queued), inside the transaction
that locked and changed it; nested in a caller's transaction (a victory closes its
petition), that is the caller's.

What receivers may do: write rows and queue tasks, which commit or roll back with the
change; raising rolls the change back too (it is sent with `send`, not `send_robust`).
They must not wait on anything outside the database (queue a task instead) nor change
the petition's state. Receivers today (grep `state_changed.connect`): signatures stores
the final count on a closing petition, transparency queues its final signed checkpoint,
api queues the "closed" webhooks.
"""

_signature_count: Callable[[Petition], int] | None = None


def count_signatures_with(counter: Callable[[Petition], int]) -> None:
    """Say how to read a petition's public count. The app that keeps the count
    (signatures) calls this from its AppConfig.ready()."""
    global _signature_count
    _signature_count = counter


def signature_count(petition: Petition) -> int:
    """The public count of `petition`, from the app that keeps it (signatures)."""
    if _signature_count is None:
        raise ImproperlyConfigured(
            "No installed app counts signatures: undersigned.signatures does, in its ready()."
        )
    return _signature_count(petition)


_region_counts: Callable[[Petition], dict[str, int]] | None = None


def count_regions_with(counter: Callable[[Petition], dict[str, int]]) -> None:
    """Say how to read a petition's counts by region ({code: count} in its scheme);
    signatures calls this from its AppConfig.ready(), as for the total."""
    global _region_counts
    _region_counts = counter


def region_counts(petition: Petition) -> dict[str, int]:
    """{region code: count} for the petition's region scheme; {} without one."""
    if not petition.region_scheme or _region_counts is None:
        return {}
    return _region_counts(petition)
