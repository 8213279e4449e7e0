"""Petitions like the one being written: "Sign this one instead?"

Found by the database's own text search, never by reading petitions in Python:

- PostgreSQL: a title whose trigrams are close to the typed title (pg_trgm's `%`, on a
  GIN trigram index), or a title or text that shares words with it (full-text search in
  the 'simple' configuration, on a GIN index of the same expression). 'simple' has no
  language's stemming or stop words, so Armenian, Russian and English are treated alike.
- SQLite: the same words, on the FTS5 table `petition_search` (unicode61 tokenizer,
  diacritics folded), which triggers keep in step with petitions_petition.

The words rule, the same on both:
1. The typed title's words of MIN_WORD letters or more (or an acronym such as "NHS"),
   at most MAX_WORDS of them; longer words are cut to their first STEM letters and
   matched as prefixes, a crude stemming that works alike in every language
   ("библиотеку" and "библиотека" both start "библио").
2. A petition matches when it has two of these words (any two), or the only one.
   One shared word is common ("open", "city"); two make a similar petition.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import combinations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connection
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import ngettext

from undersigned.petitions.models import Petition

MIN_WORD = 4
MAX_WORDS = 8
STEM = 6
LIMIT = 5
FTS_CANDIDATES = 100  # ranked matches read from FTS5 before keeping the listed ones

FTS_TABLE = "petition_search"
# External content: the FTS5 table keeps only its index and reads title and text from
# petitions_petition. Django's SQLite schema editor rebuilds a table for some migrations,
# which drops its triggers: install_sqlite_search() (also run after every migrate, see
# apps.py) puts back what is missing and rebuilds the index.
SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS petition_search USING fts5("
    "title, text, content='petitions_petition', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = {
    "petition_search_insert": """
        CREATE TRIGGER IF NOT EXISTS petition_search_insert AFTER INSERT ON petitions_petition
        BEGIN
            INSERT INTO petition_search(rowid, title, text) VALUES (new.id, new.title, new.text);
        END""",
    "petition_search_delete": """
        CREATE TRIGGER IF NOT EXISTS petition_search_delete AFTER DELETE ON petitions_petition
        BEGIN
            INSERT INTO petition_search(petition_search, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END""",
    "petition_search_update": """
        CREATE TRIGGER IF NOT EXISTS petition_search_update
        AFTER UPDATE OF title, text ON petitions_petition
        BEGIN
            INSERT INTO petition_search(petition_search, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO petition_search(rowid, title, text) VALUES (new.id, new.title, new.text);
        END""",
}
SQLITE_REBUILD = "INSERT INTO petition_search(petition_search) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS petition_search_insert",
    "DROP TRIGGER IF EXISTS petition_search_delete",
    "DROP TRIGGER IF EXISTS petition_search_update",
    "DROP TABLE IF EXISTS petition_search",
]
SQLITE_MATCH = (
    "SELECT rowid FROM petition_search WHERE petition_search MATCH %s ORDER BY rank LIMIT %s"
)
POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS petition_title_trgm "
    "ON petitions_petition USING gin (title gin_trgm_ops)",
    # The same expression as SearchVector("title", "text", config="simple") below, or
    # PostgreSQL would not use it.
    "CREATE INDEX IF NOT EXISTS petition_words ON petitions_petition USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(text, '')))",
]


def similar_petitions(
    title: str, exclude: int | None = None, now: datetime | None = None, limit: int = LIMIT
) -> list[Petition]:
    """Up to `limit` open or recently closed petitions like `title`, closest first."""
    # PostgreSQL refuses a NUL in any text; the form refuses it too, but lists these first.
    title = " ".join(title.replace("\x00", " ").split())[:150]
    words = significant_words(title)
    if not words:
        return []
    candidates = Petition.objects.similar_candidates(now or timezone.now())
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    if connection.vendor == "postgresql":
        return list(_on_postgres(candidates, title, words)[:limit])
    if connection.vendor == "sqlite":
        return _on_sqlite(candidates, words)[:limit]
    return []


def as_item(petition: Petition) -> dict:
    """One similar petition as the form shows it, its count in words in the reader's
    language (every plural form is the server's business, not the script's)."""
    count = petition.signature_count
    if petition.state == Petition.State.CLOSED:
        words = ngettext(
            "closed with %(count)s signature", "closed with %(count)s signatures", count
        )
    else:
        words = ngettext("%(count)s signature", "%(count)s signatures", count)
    return {
        "id": petition.pk,
        "title": petition.title,
        "url": petition.get_absolute_url(),
        "state": petition.state,
        "signature_count": count,
        "signatures": words % {"count": intcomma(count)},
    }


def significant_words(title: str) -> list[str]:
    """Step 1 of the module's rule: lower case, prefixes of STEM letters at most."""
    found: list[str] = []
    for word in re.findall(r"\w+", title):
        if len(word) < MIN_WORD and not (len(word) >= 2 and word.isupper()):
            continue
        stem = word.lower()[:STEM]
        if stem not in found:
            found.append(stem)
    return found[:MAX_WORDS]


def _pairs(words: list[str]) -> list[tuple[str, ...]]:
    return list(combinations(words, 2)) if len(words) > 1 else [tuple(words)]


def _on_postgres(candidates, title: str, words: list[str]):
    from django.contrib.postgres.lookups import TrigramSimilar
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramSimilarity,
    )

    # Words are \w+ only, so quoting each is enough to keep them from being operators.
    raw = " | ".join(
        "(" + " & ".join(f"'{word}':*" for word in pair) + ")" for pair in _pairs(words)
    )
    query = SearchQuery(raw, config="simple", search_type="raw")
    vector = SearchVector("title", "text", config="simple")
    return (
        candidates.annotate(
            words=vector,
            likeness=TrigramSimilarity("title", Value(title)),
            rank=SearchRank(vector, query),
        )
        .filter(Q(TrigramSimilar(F("title"), Value(title))) | Q(words=query))
        .order_by((F("likeness") + F("rank")).desc(), "-signature_count", "pk")
    )


def _on_sqlite(candidates, words: list[str]) -> list[Petition]:
    match = " OR ".join(
        "(" + " AND ".join(f'"{word}"*' for word in pair) + ")" for pair in _pairs(words)
    )
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_MATCH, [match, FTS_CANDIDATES])
        ranked = [row[0] for row in cursor.fetchall()]
    found = {petition.pk: petition for petition in candidates.filter(pk__in=ranked)}
    return [found[pk] for pk in ranked if pk in found]


def install_sqlite_search(connection) -> None:
    """Create the FTS5 table and its triggers where missing, and fill the index when
    something was missing (a rebuild reads every petition once)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR name LIKE %s",
            [FTS_TABLE, f"{FTS_TABLE}_%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE in present and set(SQLITE_TRIGGERS) <= present:
            return
        cursor.execute(SQLITE_TABLE)
        for statement in SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(SQLITE_REBUILD)


def remove_sqlite_search(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_DROP:
            cursor.execute(statement)


def install_postgres_indexes(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in POSTGRES_INDEXES:
            cursor.execute(statement)


def remove_postgres_indexes(connection) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS petition_title_trgm")
        cursor.execute("DROP INDEX IF EXISTS petition_words")
