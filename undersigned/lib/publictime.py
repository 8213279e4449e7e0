"""How precisely the public may learn when something happened to one signer.

A public signer's confirmation time and a log entry's time (docs/transparency.md) are both
given as the UTC day. To the millisecond, the two could be matched, and the public log
would then tell that the named person later withdrew, or was found invalid.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def day_of(moment: datetime) -> datetime:
    """The start (00:00 UTC) of the UTC day of an aware `moment`."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def utc_date(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
