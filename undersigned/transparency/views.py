"""The public log for people: what it is, its latest checkpoint and its entries, and
receipt checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from undersigned.lib.http import public_page
from undersigned.lib.methods import require_safe
from undersigned.petitions.models import Petition
from undersigned.transparency import keys, ledger
from undersigned.transparency.api import (
    FRESH_SECONDS,
    NUMBER,
    error,
    latest,
    public_petition,
    respond,
    sequenced_size,
)
from undersigned.transparency.models import Entry
from undersigned.transparency.receipts import OPENING_HEX, check_receipt

ENTRIES_SHOWN = 50  # entries on one page of the log, in fixed blocks: 1–50, 51–100 …
KIND_WORDS = {
    Entry.Kind.CONFIRMED: _("confirmed"),
    Entry.Kind.WITHDRAWN: _("withdrawn"),
    Entry.Kind.INVALIDATED: _("found invalid"),
    Entry.Kind.REVERTED: _("reinstated"),
}


@dataclass(frozen=True)
class ShownEntry:
    number: int  # what receipts name: the leaf index + 1
    kind: str
    day: date
    commitment: str


@require_safe
@public_page
def log_page(request: HttpRequest, pk: int) -> HttpResponse:
    """?entry=N shows the block holding entry number N, marked; ?page=K the K-th block;
    neither, the newest block."""
    petition = public_petition(pk)
    if petition is None:
        raise Http404
    size = sequenced_size(petition)
    context = {
        "petition": petition,
        "checkpoint": latest(petition),
        "sequenced": size,
        "verifier_key": keys.current_verifier_key(),
        "log_url": settings.SITE_URL + request.path,
        **_entries(
            petition, size, request.GET.get("entry", "").strip(), request.GET.get("page", "")
        ),
    }
    return render(request, "transparency/log.html", context)


def _entries(petition: Petition, size: int, wanted: str, page: str) -> dict:
    blocks = max(1, -(-size // ENTRIES_SHOWN))
    number = int(wanted) if NUMBER.fullmatch(wanted) else None
    found = number if number is not None and 1 <= number <= size else None
    if found:
        block = (found - 1) // ENTRIES_SHOWN + 1
    else:
        block = min(int(page), blocks) if NUMBER.fullmatch(page) and int(page) >= 1 else blocks
    start = (block - 1) * ENTRIES_SHOWN
    rows = Entry.objects.filter(
        petition=petition, leaf_index__gte=start, leaf_index__lt=min(start + ENTRIES_SHOWN, size)
    ).order_by("leaf_index")
    return {
        "entries": [
            ShownEntry(
                row.leaf_index + 1,
                KIND_WORDS.get(row.kind, row.kind),
                datetime.fromtimestamp(row.time_ms / 1000, UTC).date(),
                row.commitment,
            )
            for row in rows
        ],
        "first_shown": start + 1,
        "last_shown": min(start + ENTRIES_SHOWN, size),
        "found": found,
        "not_found": number if number is not None and found is None else None,
        "earlier_page": block - 1 if block > 1 else None,
        "later_page": block + 1 if block < blocks else None,
    }


@require_safe
@never_cache  # the URL holds the receipt: keep it out of shared caches
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    petition = public_petition(pk)
    if petition is None:
        raise Http404
    entry = request.GET.get("entry", "").strip()
    secret = request.GET.get("salt", "").strip().lower()
    context = {"petition": petition, "entry_id": entry, "secret": secret}
    if not NUMBER.fullmatch(entry) or not OPENING_HEX.fullmatch(secret):
        return render(
            request, "transparency/receipt.html", {**context, "malformed": True}, status=400
        )
    check = check_receipt(petition.pk, int(entry), secret)
    log_url = settings.SITE_URL + reverse("transparency:log", args=[petition.pk])
    context.update(check=check, log_url=log_url)
    return render(request, "transparency/receipt.html", context, status=200 if check else 404)


@require_safe
@public_page
def changes_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The public ledger: every change to the count but people's own (ledger.py)."""
    petition = public_petition(pk)
    if petition is None:
        raise Http404
    changes = ledger.ledger_of(petition)
    context = {
        "petition": petition,
        "changes": changes,
        "online": ledger.totals(changes, ledger.CountChange.ONLINE),
        "paper": ledger.totals(changes, ledger.CountChange.PAPER),
        "log_url": settings.SITE_URL + reverse("transparency:log", args=[petition.pk]),
    }
    return render(request, "transparency/changes.html", context)


@require_safe
@public_page
def changes_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The same as JSON, for `undersigned verify` and anyone (docs/transparency.md)."""
    petition = public_petition(pk)
    if petition is None:
        return error(404, "no_such_petition", f"There is no public petition {pk}.")
    changes = ledger.ledger_of(petition)
    data = {
        "petition": petition.pk,
        "changes": [change.as_json() for change in changes],
        **{
            scope: vars(ledger.totals(changes, scope))
            for scope in (ledger.CountChange.ONLINE, ledger.CountChange.PAPER)
        },
    }
    return respond(data, FRESH_SECONDS)
