"""Opaque cursors for keyset pagination: stable when rows are added meanwhile.

A cursor is the sort key of the last row a page showed, sealed (lib/sealed.py) so that
clients can neither forge one (a tampered or foreign cursor is a 400, never a 500) nor
read it: a sort key may hold what the page itself does not show, such as a signer's full
name or exact confirmation time. The next page is the rows after that key, in the same
order, so an insert never shifts or repeats what follows.
"""

from __future__ import annotations

import json
import operator
from datetime import datetime
from functools import reduce
from typing import Any

from django.db.models import Model, Q, QuerySet

from undersigned.api.errors import ApiError
from undersigned.lib import sealed

SALT = "api.cursor"


def encode(kind: str, values: list[Any] | tuple[Any, ...]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    data = json.dumps([kind, plain], ensure_ascii=False, separators=(",", ":"))
    return sealed.seal(data.encode(), SALT)


def decode(cursor: str, kind: str) -> list[Any]:
    try:
        found, values = json.loads(sealed.unseal(cursor, SALT))
    except (sealed.Unsealable, ValueError, TypeError):
        found, values = None, None
    if found != kind or not isinstance(values, list):
        raise ApiError(400, "bad_cursor", "This cursor is not valid here: start again.")
    return values


def page(
    rows: QuerySet, fields: list[str], kind: str, cursor: str | None, limit: int
) -> tuple[list[Model], str | None]:
    """One page of `rows` ordered by `fields` (each "-name" or "name", the last a unique
    key), starting after `cursor`; and the cursor of the next page, or None at the end."""
    if cursor:
        rows = rows.filter(_after(fields, decode(cursor, kind)))
    items = list(rows.order_by(*fields)[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    return items, encode(kind, [getattr(last, f.lstrip("-")) for f in fields])


def _after(fields: list[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `fields`: (a, b) after (x, y) is
    a > x, or a = x and b > y (with < for descending fields)."""
    if len(values) != len(fields):
        raise ApiError(400, "bad_cursor", "This cursor is not valid here: start again.")
    branches, equal = [], Q()
    for field, value in zip(fields, values, strict=True):
        name = field.lstrip("-")
        beyond = f"{name}__lt" if field.startswith("-") else f"{name}__gt"
        branches.append(equal & Q(**{beyond: _parse(value)}))
        equal &= Q(**{name: _parse(value)})
    return reduce(operator.or_, branches)


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
