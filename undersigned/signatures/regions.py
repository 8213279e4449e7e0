"""Where a petition's signers live, by the regions of its scheme: the counts, and the
breakdown page, JSON and CSV (the petition page shows the top regions through the
`top_regions` template tag).

The counts are kept in RegionShard rows, moved by actions.add_to_count in the same
transaction as the total, so they are exact; here they are only read (a SUM per region
over at most 16 rows each), and kept in the cache as long as the total.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from undersigned.lib.http import public_page
from undersigned.lib.methods import require_safe
from undersigned.petitions.models import Petition
from undersigned.regions import lookups, maps
from undersigned.signatures.actions import count_for, region_count_key
from undersigned.signatures.models import RegionShard

SORTS = ("count", "name", "share")
TOP = 5  # regions named on the petition page


def region_counts(petition: Petition, fresh: bool = False) -> dict[str, int]:
    """{region code: counted signatures} in the petition's scheme, regions without any
    left out; {} when the petition has no scheme. `fresh` reads past the cache (a job
    that acts on a number wants the number as committed)."""
    if not petition.region_scheme:
        return {}
    key = region_count_key(petition.pk)
    counts = None if fresh else cache.get(key)
    if counts is None:
        known = lookups.regions_of(petition.region_scheme)
        rows = (
            RegionShard.objects.filter(petition_id=petition.pk)
            .values("region")
            .annotate(n=Sum("count"))
            .order_by()
            .values_list("region", "n")
        )
        # Only regions of the scheme it has now: an organizer may have changed it.
        counts = {region: int(n) for region, n in rows if n and region in known}
        if settings.COUNT_CACHE_SECONDS:
            cache.set(key, counts, settings.COUNT_CACHE_SECONDS)
    return counts


@dataclass(frozen=True, slots=True)
class RegionRow:
    code: str
    name: str
    country: str
    count: int
    population: int | None

    @property
    def share(self) -> float | None:
        """Signers per 100 people who live there, when the scheme says how many do."""
        return 100 * self.count / self.population if self.population else None


def region_rows(petition: Petition, sort: str = "count") -> list[RegionRow]:
    """The regions with signers, by count (most first), name, or share of population."""
    regions = lookups.regions_of(petition.region_scheme)
    rows = [
        RegionRow(code, regions[code].name, regions[code].country, n, regions[code].population)
        for code, n in region_counts(petition).items()
    ]
    if sort == "name":
        return sorted(rows, key=lambda row: row.name.casefold())
    if sort == "share":
        return sorted(rows, key=lambda row: (row.share is None, -(row.share or 0), row.name))
    return sorted(rows, key=lambda row: (-row.count, row.name.casefold()))


def top_regions(petition: Petition, limit: int = TOP) -> list[RegionRow]:
    return region_rows(petition)[:limit]


def _load(pk: int) -> Petition:
    return get_object_or_404(Petition.objects.listed().exclude(region_scheme=""), pk=pk)


@require_safe
@public_page
def breakdown(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(pk)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "count"
    scheme = lookups.scheme_named(petition.region_scheme)
    rows = region_rows(petition, sort)
    counts = region_counts(petition)
    total = count_for(petition)
    context = {
        "petition": petition,
        "scheme": scheme,
        "rows": rows,
        "sort": sort,
        "total": total,
        "without_region": max(0, total - sum(row.count for row in rows)),
        "with_population": any(row.population for row in rows),
        "map": maps.render_map(scheme, lookups.regions_of(petition.region_scheme), counts)
        if scheme
        else "",
        "legend": maps.legend(counts),
    }
    return render(request, "signatures/regions.html", context)


def _rows_as_data(petition: Petition) -> tuple[int, list[dict]]:
    rows = region_rows(petition, "count")
    data = [
        {
            "code": row.code,
            "name": row.name,
            "country": row.country,
            "count": row.count,
            "population": row.population,
            "share": round(row.share, 4) if row.share is not None else None,
        }
        for row in rows
    ]
    return count_for(petition), data


@require_safe
@public_page
def breakdown_json(request: HttpRequest, pk: int) -> JsonResponse:
    petition = _load(pk)
    scheme = lookups.scheme_named(petition.region_scheme)
    total, rows = _rows_as_data(petition)
    return JsonResponse(
        {
            "petition": petition.pk,
            "scheme": {"code": petition.region_scheme, "name": scheme.name if scheme else ""},
            "signature_count": total,
            "without_region": max(0, total - sum(row["count"] for row in rows)),
            "regions": rows,
        },
        json_dumps_params={"ensure_ascii": False},
        headers={"Access-Control-Allow-Origin": "*"},
    )


def _cell(value: object) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula; region names come
    from imported files, so such a cell gets an apostrophe (as delivery's CSV does)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@require_safe
@public_page
def breakdown_csv(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(pk)
    _total, rows = _rows_as_data(petition)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="petition-{pk}-regions.csv"'
    writer = csv.writer(response)
    writer.writerow(["code", "name", "country", "count", "population", "share_percent"])
    for row in rows:
        writer.writerow([_cell(row[k]) for k in ("code", "name", "country", "count")] + [
            "" if row["population"] is None else row["population"],
            "" if row["share"] is None else row["share"],
        ])  # fmt: skip
    return response
