"""Read without a key: petitions, their counts, and the signers who chose to be shown.

Everything here is public and free of personal data: CORS-open and cacheable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Path, Query, Router

from undersigned.api import keyset, signers
from undersigned.api.errors import ApiError
from undersigned.api.schemas import (
    MAX_ID,
    Cursor,
    ErrorOut,
    Limit,
    PetitionDetail,
    PetitionFilters,
    PetitionPage,
    SignerPage,
    UpdatePage,
)
from undersigned.lib.publictime import day_of
from undersigned.petitions.models import Petition
from undersigned.responses.models import answer_origin, attach_answer_origins
from undersigned.signatures.actions import count_for
from undersigned.signatures.models import Signature
from undersigned.signatures.regions import region_counts

router = Router(tags=["Petitions (no key)"])

MAX_AGE = 30  # seconds a client or proxy may reuse a response
AGGREGATE_SECONDS = 60
SORTS = {"newest": ["-opened_at", "-id"], "most_signed": ["-signature_count", "-id"]}
PetitionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The petition's id.", example=1)]


def cacheable(response: HttpResponse, seconds: int = MAX_AGE) -> None:
    response["Cache-Control"] = f"public, max-age={seconds}"
    response["Access-Control-Allow-Origin"] = "*"


def listed_petition(pk: int) -> Petition:
    petition = Petition.objects.listed().prefetch_related("targets").filter(pk=pk).first()
    if petition is None:
        raise ApiError(404, "not_found", "There is no open or closed petition with this id.")
    return petition


def petition_out(petition: Petition, count: int | None = None) -> dict:
    count = petition.signature_count if count is None else count
    return {
        "id": petition.pk,
        "title": petition.title,
        "state": petition.state,
        "url": petition.absolute_url(),
        "language": petition.language,
        "signature_count": count,
        "goal": petition.goal_for(count),
        "targets": [{"name": t.name, "role": t.role} for t in petition.targets.all()],
        "created_at": petition.created_at,
        "opened_at": petition.opened_at,
        "closes_at": petition.closes_at,
        "closed_at": petition.closed_at,
    }


def in_utc(moment: datetime | None) -> datetime | None:
    """An aware time in UTC (a naive one is taken as UTC); beyond the calendar is a 400."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        raise ApiError(400, "invalid", "This date is out of range.") from None


def filtered(f: PetitionFilters):
    rows = Petition.objects.listed().filter(opened_at__isnull=False)
    conditions = {
        "state": f.state,
        "language__iexact": f.language,
        "signature_count__gte": f.min_count,
        "signature_count__lte": f.max_count,
        "created_at__gte": in_utc(f.created_after),
        "created_at__lt": in_utc(f.created_before),
    }
    rows = rows.filter(**{k: v for k, v in conditions.items() if v is not None})
    if f.target:
        rows = rows.filter(Q(targets__name__icontains=f.target)).distinct()
    if f.q:
        rows = rows.search(f.q)
    return rows.prefetch_related("targets")


@router.get("/petitions", response={200: PetitionPage, 400: ErrorOut})
def list_petitions(request: HttpRequest, response: HttpResponse, f: Query[PetitionFilters]):
    """Open and closed petitions, newest or most signed first, filtered; by cursor."""
    items, next_cursor = keyset.page(filtered(f), SORTS[f.sort], f.sort, f.cursor, f.limit)
    cacheable(response)
    return {"items": [petition_out(p) for p in items], "next_cursor": next_cursor}


@router.get("/petitions/{id}", response={200: PetitionDetail, 400: ErrorOut, 404: ErrorOut})
def petition_detail(request: HttpRequest, response: HttpResponse, id: PetitionId):
    """A petition with its live count, and counts by country and by day."""
    petition = listed_petition(id)
    count = count_for(petition)
    cacheable(response)
    return {
        **petition_out(petition, count),
        "organizer_goal": petition.goal,
        "text": petition.text,
        "text_html": petition.text_html,
        "counts": aggregates(petition),
        "region_scheme": petition.region_scheme,
        "regions": region_counts(petition),
    }


def aggregates(petition: Petition) -> dict:
    """Counted signatures by country and by day of confirmation, cached for a minute."""
    key = f"api:aggregates:{petition.pk}"
    found = cache.get(key)
    if found is None:
        counted = Signature.objects.filter(petition=petition).counted()
        countries = counted.values("country").annotate(n=Count("id")).order_by("-n", "country")
        days = (
            counted.annotate(day=TruncDate("confirmed_at"))
            .values("day")
            .annotate(n=Count("id"))
            .order_by("day")
        )
        by_country = [{"country": str(row["country"]), "count": row["n"]} for row in countries]
        found = {
            "total": sum(row["count"] for row in by_country),
            "by_country": by_country,
            "by_day": [{"day": row["day"], "count": row["n"]} for row in days],
            "computed_at": timezone.now(),
        }
        cache.set(key, found, AGGREGATE_SECONDS)
    return found


@router.get("/petitions/{id}/signers", response={200: SignerPage, 400: ErrorOut, 404: ErrorOut})
def petition_signers(
    request: HttpRequest,
    response: HttpResponse,
    id: PetitionId,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """Confirmed signers who chose to be shown, by day (newest first), then by name: first
    name and initial, and the day, never the time (api/signers.py says why)."""
    listed_petition(id)
    kind = f"signers:{id}"
    try:
        key = signers.parse_key(keyset.decode(cursor, kind)) if cursor else None
    except ValueError:
        raise ApiError(400, "bad_cursor", "This cursor is not valid here: start again.") from None
    items = signers.after(signers.public_signers(id), key, limit + 1)
    next_cursor = (
        keyset.encode(kind, signers.key_of(items[limit - 1])) if len(items) > limit else None
    )
    cacheable(response)
    shown = [
        {
            "name": s.public_name,
            "country": str(s.country),
            "comment": s.comment,
            "confirmed_at": day_of(s.confirmed_at),
        }
        for s in items[:limit]
    ]
    return {"items": shown, "next_cursor": next_cursor}


@router.get("/petitions/{id}/updates", response={200: UpdatePage, 400: ErrorOut, 404: ErrorOut})
def petition_updates(
    request: HttpRequest,
    response: HttpResponse,
    id: PetitionId,
    cursor: Cursor = None,
    limit: Limit = 20,
):
    """The petition's updates, newest first: news, the victory, decision makers' responses."""
    petition = listed_petition(id)
    rows = petition.updates.select_related("target")
    items, next_cursor = keyset.page(rows, ["-created_at", "-id"], f"updates:{id}", cursor, limit)
    attach_answer_origins(items)
    cacheable(response)
    # A response's title is put together in the petition's language, like the petition's
    # own fields: every client gets the same answer, which shared caches may keep.
    with translation.override(petition.language):
        updates = [
            {
                "id": u.pk,
                "kind": u.kind,
                "title": u.display_title,
                "text": u.text,
                "text_html": u.text_html,
                "target": {"name": u.target.name, "role": u.target.role} if u.target else None,
                "answered_from": answer_origin(u).get("answered_from"),
                "address_checked": answer_origin(u).get("address_checked"),
                "created_at": u.created_at,
            }
            for u in items
        ]
    return {"items": updates, "next_cursor": next_cursor}
