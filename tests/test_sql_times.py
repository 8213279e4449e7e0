"""Times written by the plain-SQL statements of the sign path are stored as the ORM
stores them, so they compare correctly in queries (SQLite compares them as text)."""

import pytest
from django.db import connection
from django.utils import timezone
from support import SIGNER, make_petition

from undersigned.signatures import actions
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


COLUMNS = {"created_at", "confirmed_at", "mail_sent_at", "token_created_at"}


def _raw(column: str, pk: int) -> str:
    assert column in COLUMNS
    sql = f"SELECT CAST({column} AS TEXT) FROM signatures_signature WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return cursor.fetchone()[0]


def test_confirmation_sent_and_token_times_look_like_the_orms(organizer, moderator, run_tasks):
    petition = make_petition(organizer, moderator)
    data = actions.SignRequest(name=SIGNER["name"], email="ani@example.org", country="AM")
    row = actions.sign_petition(petition, data)
    run_tasks()
    row.refresh_from_db()
    token = row.new_token(timezone.now())
    Signature.objects.filter(pk=row.pk).update(token_hash=row.token_hash)
    number = actions.confirm_signature(row, token.partition(".")[2])
    assert (
        number == 1 and type(number) is int
    )  # signed into a URL; PostgreSQL's SUM gives a Decimal
    orm = _raw("created_at", row.pk)  # written by the database's own clock via the ORM
    for column in ("confirmed_at", "mail_sent_at", "token_created_at"):
        value = _raw(column, row.pk)
        assert value is not None and ("+" in value) == ("+" in orm), (column, value, orm)
    later = Signature.objects.filter(confirmed_at__lte=timezone.now(), pk=row.pk)
    assert later.exists()
