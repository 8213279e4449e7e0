"""Helpers for the few statements written in plain SQL on the hot paths."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import DatabaseDefault


def sql_time(moment: datetime):
    """A datetime for plain SQL, stored as the ORM stores it (SQLite: naive UTC text; a
    raw aware datetime would get a "+00:00" suffix and compare wrongly as text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def insert(obj: Model) -> None:
    """obj.save(force_insert=True) in a statement built once per model: what the ORM's
    INSERT compiler rebuilt for every row of ~30 columns was a third of a sign's CPU.

    Each value still goes through its field's pre_save and get_db_prep_save, the error
    is still django.db.IntegrityError, and what the database fills (the primary key, a
    db_default left unset) comes back with RETURNING and the ORM's converters, as with
    save(). No signals are sent: use it only for a model nothing listens to."""
    if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
        obj.save(force_insert=True)
        return
    meta = type(obj)._meta
    unset = tuple(f.attname for f in meta.concrete_fields if _filled_by_database(obj, f))
    sql, fields, returned = _statement(type(obj), unset, connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone() if returned else ()
    for column, value in zip(returned, row, strict=True):
        converters = connection.ops.get_db_converters(column)
        for convert in converters + column.get_db_converters(connection):
            value = convert(value, column, connection)
        setattr(obj, column.target.attname, value)
    obj._state.adding, obj._state.db = False, connection.alias


def _filled_by_database(obj: Model, field) -> bool:
    if field.primary_key and getattr(obj, field.attname) is None:
        return True
    return field.has_db_default() and isinstance(getattr(obj, field.attname), DatabaseDefault)


@lru_cache(maxsize=32)
def _statement(model: type[Model], unset: tuple[str, ...], _vendor: str):
    meta, quote = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if f.attname not in unset]
    returned = [f.get_col(meta.db_table) for f in meta.concrete_fields if f.attname in unset]
    # Only the model's own table and column names, quoted, go into the text: no input.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    if returned:
        sql += " RETURNING " + ", ".join(quote(column.target.column) for column in returned)
    return sql, fields, returned
