"""Reading schemes and regions: what the sign form, the breakdown and other apps ask.

Use these rather than querying Region: the built-in scheme (SUBDIVISIONS) has no rows,
its regions come from pycountry. Imported schemes are read once and kept for a short
while per process (a sign form and a breakdown page both need every region's name);
an import in this process forgets its scheme at once, in others it shows within
KEEP_SECONDS.
"""

from __future__ import annotations

import gettext
import math
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pycountry
from django.db.models import Exists, OuterRef
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from undersigned.regions.models import SUBDIVISIONS, Postcode, Region, Scheme

KEEP_SECONDS = 30.0
BUILT_IN_NAME = _("Country subdivisions (ISO 3166-2: provinces, states, regions…)")


@dataclass(frozen=True, slots=True)
class RegionInfo:
    code: str
    name: str
    country: str
    parent: str = ""
    population: int | None = None


@dataclass(frozen=True, slots=True)
class SchemeFacts:
    scheme: Scheme
    regions: dict[str, RegionInfo]
    by_country: dict[str, list[tuple[str, str]]]  # country → (code, name), by name
    has_postcodes: bool


_kept: dict[str, tuple[float, SchemeFacts | None]] = {}


def normalize_postcode(text: str) -> str:
    """The form postcodes are stored and compared in: "sw1a 1aa" and "SW1A-1AA" are one."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def forget(code: str | None = None) -> None:
    """Drop what this process keeps about a scheme (after an import), or about all."""
    for key in list(_kept):
        if code is None or key.partition(":")[0] == code:
            _kept.pop(key, None)


def facts(code: str) -> SchemeFacts | None:
    """Everything the pages need to know about a scheme, or None if there is none (the
    built-in scheme's names in the active language)."""
    if not code:
        return None
    if code == SUBDIVISIONS:
        code = f"{code}:{get_language() or 'en'}"  # kept once per language
    now = time.monotonic()
    kept = _kept.get(code)
    if kept is not None and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    found = _load(code.partition(":")[0])
    if len(_kept) > 100:
        _kept.clear()
    _kept[code] = (now, found)
    return found


def built_in() -> Scheme:
    """The subdivisions scheme as stored (an operator may give it a quorum in the admin),
    or as it is without its row: it exists on every site, whatever the database holds."""
    stored = Scheme.objects.filter(code=SUBDIVISIONS).first()
    return stored or Scheme(code=SUBDIVISIONS, name=str(BUILT_IN_NAME))


def _load(code: str) -> SchemeFacts | None:
    postcodes = Postcode.objects.filter(scheme=OuterRef("pk"))
    scheme = Scheme.objects.annotate(has_postcodes=Exists(postcodes)).filter(code=code).first()
    if scheme is None and code == SUBDIVISIONS:
        scheme = built_in()
        scheme.has_postcodes = False
    if scheme is None:
        return None
    if scheme.is_built_in:
        regions, by_country = _subdivisions(get_language() or "en")
        return SchemeFacts(scheme, regions, by_country, scheme.has_postcodes)
    rows = Region.objects.filter(scheme=scheme).values_list(
        "code", "name", "country", "parent", "population"
    )
    regions = {row[0]: RegionInfo(*row) for row in rows}
    return SchemeFacts(scheme, regions, _by_country(regions), scheme.has_postcodes)


def _by_country(regions: dict[str, RegionInfo]) -> dict[str, list[tuple[str, str]]]:
    by_country: dict[str, list[tuple[str, str]]] = {}
    for region in sorted(regions.values(), key=lambda r: r.name.casefold()):
        by_country.setdefault(region.country, []).append((region.code, region.name))
    return by_country


@lru_cache(maxsize=8)
def _subdivisions(language: str) -> tuple[dict[str, RegionInfo], dict[str, list]]:
    """Every ISO 3166-2 subdivision (about 5,000), by code ("AM-ER" is Yerevan), named in
    `language` where pycountry has a translation (the iso3166-2 catalogue)."""
    names = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[language.split("-")[0]], fallback=True
    )
    regions = {
        sub.code: RegionInfo(
            sub.code, names.gettext(sub.name), sub.country_code, sub.parent_code or ""
        )
        for sub in pycountry.subdivisions
    }
    return regions, _by_country(regions)


def scheme_named(code: str) -> Scheme | None:
    found = facts(code)
    return found.scheme if found else None


def scheme_choices() -> list[tuple[str, str]]:
    """(code, name) of every scheme on the site, for the petition form."""
    imported = Scheme.objects.exclude(code=SUBDIVISIONS).values_list("code", "name")
    return [*imported, (SUBDIVISIONS, built_in().name)]


def regions_of(code: str) -> dict[str, RegionInfo]:
    found = facts(code)
    return found.regions if found else {}


def region_named(scheme_code: str, code: str) -> RegionInfo | None:
    return regions_of(scheme_code).get(code)


def region_choices(scheme_code: str, country: str) -> list[tuple[str, str]]:
    """The regions of `country` in the scheme, by name: what a signer chooses from."""
    found = facts(scheme_code)
    return list(found.by_country.get(country, [])) if found else []


def has_postcodes(scheme_code: str) -> bool:
    found = facts(scheme_code)
    return bool(found and found.has_postcodes)


def region_for_postcode(scheme_code: str, country: str, postcode: str) -> str:
    """The code of the region a postcode is in, or "" if the scheme does not know it.

    Only a region of the signer's country: the same digits are a postcode in many
    countries, and a signer abroad must not be counted in someone else's district.
    """
    wanted = normalize_postcode(postcode)
    found = facts(scheme_code)
    if not wanted or found is None or not found.has_postcodes:
        return ""
    code = (
        Postcode.objects.filter(scheme=found.scheme, postcode=wanted)
        .values_list("region", flat=True)
        .first()
    )
    region = found.regions.get(code or "")
    return region.code if region is not None and region.country == country else ""


def quorum_for(
    scheme_code: str, region_code: str, petition_quorum: int | None, default: int | None
) -> int | None:
    """How many signers a region needs before its representatives are asked.

    The petition's own number first, then the scheme's number, then the scheme's share
    of the region's population (rounded up, at least 1), then `default` (the site's).
    """
    if petition_quorum:
        return petition_quorum
    found = facts(scheme_code)
    if found is None:
        return default
    if found.scheme.quorum:
        return found.scheme.quorum
    region = found.regions.get(region_code)
    share = found.scheme.quorum_share
    if share and region is not None and region.population:
        return max(1, math.ceil(Decimal(region.population) * share))
    return default
