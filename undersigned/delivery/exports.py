"""Signer lists as CSV, streamed: rows come from the database in chunks (a server-side
cursor on PostgreSQL) and leave as text in blocks, so memory stays flat at any size.

Two lists, one generator:
- the signer list: every counted signer's name, country, comment and date, without
  e-mail address or postcode (the delivery pack's CSV and `export_signers`);
- the contact list: only the signers who chose to let the organizers e-mail them
  (`Signature.contact_by_organizer`), with their e-mail address and postcode.

Every cell goes through delivery/safecsv, so a name like "=HYPERLINK(…)" stays text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.utils.translation import gettext as _
from django_countries import countries

from undersigned.delivery.safecsv import stream_rows
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature

CHUNK_ROWS = 2000  # rows fetched from the database at a time
BLOCK_BYTES = 64 * 1024  # text handed to the network (or stdout) at a time


def contact_signatures(petition: Petition):
    return Signature.objects.counted().filter(petition=petition, contact_by_organizer=True)


def counted_signatures(petition: Petition, as_of: datetime | None = None):
    """The signatures of the public count (those confirmed by `as_of`, when given)."""
    signatures = Signature.objects.counted().filter(petition=petition)
    return signatures if as_of is None else signatures.filter(confirmed_at__lte=as_of)


def _day(moment) -> str:
    return moment.date().isoformat() if moment else ""


def _time(moment) -> str:
    return moment.replace(microsecond=0).isoformat() if moment else ""


def contact_rows(petition: Petition) -> Iterator[tuple]:
    rows = (
        contact_signatures(petition)
        .order_by("pk")
        .values_list("name", "email", "country", "postcode", "confirmed_at")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for name, email, country, postcode, confirmed_at in rows:
        yield name, email, country, postcode, _time(confirmed_at)


def signer_rows(petition: Petition, as_of: datetime | None = None) -> Iterator[tuple]:
    """Counted signers in the order they confirmed: name, country name, country code,
    comment, date."""
    rows = (
        counted_signatures(petition, as_of)
        .order_by("confirmed_at", "pk")
        .values_list("name", "country", "comment", "confirmed_at")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for name, country, comment, confirmed_at in rows:
        yield name, countries.name(country) or country, country, comment, _day(confirmed_at)


def contact_header() -> list[str]:
    return [_("Name"), _("E-mail address"), _("Country"), _("Postcode"), _("Signed at")]


def signer_header() -> list[str]:
    return [_("Name"), _("Country"), _("Country code"), _("Comment"), _("Signed on")]


def blocks(lines: Iterable[str], size: int = BLOCK_BYTES) -> Iterator[str]:
    """Join short lines into blocks of about `size` characters: one write per block, not
    one per row, for a million rows."""
    parts: list[str] = []
    length = 0
    for line in lines:
        parts.append(line)
        length += len(line)
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    if parts:
        yield "".join(parts)


def signers_csv(petition: Petition, *, contactable: bool = False) -> Iterator[str]:
    """The whole CSV, block by block: the contact list if `contactable`, else the signer
    list (no e-mail addresses)."""
    if contactable:
        return blocks(stream_rows(contact_header(), contact_rows(petition)))
    return blocks(stream_rows(signer_header(), signer_rows(petition)))
