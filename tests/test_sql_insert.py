"""lib/sql.insert writes the same row save() writes, and fails the way save() fails."""

from datetime import datetime

import pytest
from django.db import IntegrityError, transaction

from undersigned.lib.sql import insert
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


def _signature(petition, email, **extra):
    return Signature(
        petition_id=petition.pk, name="Anahit Karapetyan", email=email,
        email_normalized=email.lower(), email_domain="example.am", country="AM",
        risk="new-domain", ip_hash="ab" * 16, held_reason="", **extra,
    )  # fmt: skip


def _columns(pk: int) -> dict:
    """Every stored column but those that differ between two signatures by design."""
    row = Signature.objects.get(pk=pk)
    differ = {"id", "email", "email_normalized", "created_at"}
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields
            if f.attname not in differ}  # fmt: skip


def test_the_row_is_the_row_save_writes(petition):
    saved, inserted = _signature(petition, "a@example.am"), _signature(petition, "b@example.am")
    saved.save(force_insert=True)
    insert(inserted)
    assert isinstance(inserted.pk, int) and inserted.pk != saved.pk
    assert isinstance(inserted.created_at, datetime) and inserted.created_at.tzinfo is not None
    assert not inserted._state.adding
    stored, expected = _columns(inserted.pk), _columns(saved.pk)
    assert stored == expected and len(stored) > 25
    assert Signature.objects.get(pk=inserted.pk).created_at == inserted.created_at


def test_a_duplicate_raises_integrity_error_and_leaves_one_row(petition):
    insert(_signature(petition, "a@example.am"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(_signature(petition, "a@example.am"))
    assert Signature.objects.filter(petition=petition).count() == 1


def test_a_saved_row_is_then_updated_not_inserted_again(petition):
    row = _signature(petition, "a@example.am")
    insert(row)
    row.name = "Anahit K."
    row.save()
    assert Signature.objects.get().name == "Anahit K."
    assert Signature.objects.count() == 1


def test_values_set_by_hand_are_written_as_given(petition):
    when = datetime(2026, 3, 1, 12, 0, 0, 123000).astimezone()
    row = _signature(petition, "a@example.am", created_at=when, mail_requested_at=when)
    insert(row)
    stored = Signature.objects.get()
    assert stored.created_at == when and stored.mail_requested_at == when
