"""A petition's public signers in the order every public list gives them: the newest UTC
day first, then by name within a day.

Never in the order people confirmed, and never with a time finer than the day: the
petition's public log (docs/transparency.md) has one entry per confirmation, in that
order, so either would line a named signer up with their entry, and the entries that
follow it would tell that they later withdrew or were found invalid.

Both page shapes read the (petition, -confirmed_at) index for the day boundaries and sort
by name only the days a page touches.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDay

from undersigned.lib.publictime import day_of
from undersigned.signatures.models import Signature

ONE_DAY = timedelta(days=1)
FIELDS = ("petition", "name", "country", "comment", "confirmed_at")
Key = tuple[datetime, str, int]  # (day, name, id) of a signer: the order of the lists


def public_signers(petition_id: int) -> QuerySet[Signature]:
    """Counted signatures whose signers chose to be shown."""
    rows = Signature.objects.filter(petition_id=petition_id).counted().filter(public=True)
    return rows.only(*FIELDS)


def key_of(signature: Signature) -> Key:
    return (day_of(signature.confirmed_at), signature.name, signature.pk)


def parse_key(values: object) -> Key:
    """A key as a cursor carried it, [day in ISO 8601, name, id]; ValueError otherwise."""
    if not (isinstance(values, list) and len(values) == 3):
        raise ValueError("not a signer's key")
    day, name, pk = values
    moment = datetime.fromisoformat(day) if isinstance(day, str) else None
    if moment is None or moment.tzinfo is None or not isinstance(name, str) or type(pk) is not int:
        raise ValueError("not a signer's key")
    return moment, name, pk


def _in_order(rows: QuerySet[Signature]) -> QuerySet[Signature]:
    return rows.order_by(TruncDay("confirmed_at", tzinfo=UTC).desc(), "name", "pk")


def _by_time(rows: QuerySet[Signature]) -> QuerySet[Signature]:
    return rows.order_by("-confirmed_at", "-pk")


def after(rows: QuerySet[Signature], key: Key | None, count: int) -> list[Signature]:
    """Up to `count` signers that follow `key` (from the first when None).

    1. The rest of the key's own day, by name.
    2. If that is too few: find, by time, the day of the last signer still needed, and
       sort the days from there up to the key's day; take what is missing.
    """
    found: list[Signature] = []
    if key is not None:
        day, name, pk = key
        same_day = rows.filter(confirmed_at__gte=day, confirmed_at__lt=day + ONE_DAY)
        later = same_day.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
        found = list(later.order_by("name", "pk")[:count])
        rows = rows.filter(confirmed_at__lt=day)
    missing = count - len(found)
    if missing <= 0:
        return found
    boundary = list(_by_time(rows).values_list("confirmed_at", flat=True)[missing - 1 : missing])
    if boundary:
        rows = rows.filter(confirmed_at__gte=day_of(boundary[0]))
    return found + list(_in_order(rows)[:missing])


def at(rows: QuerySet[Signature], start: int, count: int) -> list[Signature]:
    """Signers `start` to `start + count - 1` of the list (for page-numbered lists).

    1. Find, by time, the days of the first and the last signer asked for.
    2. Count the signers of the days before the first one.
    3. Sort those days by name and slice.
    """
    times = _by_time(rows).values_list("confirmed_at", flat=True)
    first = list(times[start : start + 1])
    if not first:
        return []
    last = list(times[start + count - 1 : start + count]) or list(times.reverse()[:1])
    newest_day_end = day_of(first[0]) + ONE_DAY
    before = rows.filter(confirmed_at__gte=newest_day_end).count()
    touched = rows.filter(confirmed_at__gte=day_of(last[0]), confirmed_at__lt=newest_day_end)
    offset = start - before
    return list(_in_order(touched)[offset : offset + count])
