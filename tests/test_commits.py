"""The mail worker's sent-marks do not wait for the WAL flush; nothing else changes."""

import pytest
from django.db import connection

from undersigned.lib.commits import without_flush_wait


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_commits_in_the_block_skip_the_flush_and_the_setting_is_restored_after():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's (make test-pg)")
    before = _setting()
    with without_flush_wait():
        assert _setting() == "off"
    assert _setting() == before


@pytest.mark.django_db(transaction=True)
def test_the_setting_is_restored_when_the_block_raises():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's (make test-pg)")
    before = _setting()
    with pytest.raises(RuntimeError), without_flush_wait():
        raise RuntimeError
    assert _setting() == before


@pytest.mark.django_db
def test_inside_a_transaction_it_changes_nothing():
    with without_flush_wait():
        pass  # a SET would outlive the block only on PostgreSQL; there it is not issued
    if connection.vendor == "postgresql":
        assert _setting() == "on"
