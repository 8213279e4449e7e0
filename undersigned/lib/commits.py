"""Commits that need not wait for the disk.

A mail worker marks each e-mail sent right after the SMTP server took it, one autocommit
UPDATE per e-mail, so that a killed worker resends at most the one it was sending. With
PostgreSQL's default each of those commits waits for its own WAL flush, and during a
surge hundreds a second queue on the same disk as the signatures' INSERTs.

With `synchronous_commit = off` a commit returns once it is in PostgreSQL's memory: it is
visible at once and survives a killed worker; only a crash of PostgreSQL itself can lose
the last ~0.6 s of them (3 × wal_writer_delay), and then those e-mails are sent once
more. That is the same at-least-once a killed worker already gives, so it is used for
such marks only, never for a signature or a confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection


@contextmanager
def without_flush_wait() -> Iterator[None]:
    """Autocommit statements in this block return before their WAL is on disk."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield  # SQLite in WAL mode with synchronous=NORMAL does not fsync per commit
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # the connection broke: Django discards it anyway
            connection.close()
