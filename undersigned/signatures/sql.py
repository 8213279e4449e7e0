"""Helpers for the few statements written in plain SQL on the hot paths."""

from __future__ import annotations

from datetime import datetime

from django.db import connection


def sql_time(moment: datetime):
    """A datetime for plain SQL, stored as the ORM stores it (SQLite: naive UTC text; a
    raw aware datetime would get a "+00:00" suffix and compare wrongly as text)."""
    return connection.ops.adapt_datetimefield_value(moment)
