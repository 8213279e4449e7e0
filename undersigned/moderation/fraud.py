"""What moderators see about one petition's signatures, and the dry run that must come
before a bulk invalidation.

Everything here is an aggregate: counts by hour, address block, e-mail domain, country
and hold reason. No e-mail address or name is ever read, so the fraud page shows none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import DataError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from undersigned.petitions.models import Petition
from undersigned.signatures.actions import count_for
from undersigned.signatures.invalidation import BadConditions, matching
from undersigned.signatures.models import Signature

HOURS = 48  # signatures per hour, for this many hours
TOP = 10  # rows in the address block, domain and country tables
JUMP_POINTS = 20  # a country's share of the last hour this many points above its overall share
JUMP_MIN = 10  # ... in an hour with at least this many signatures, is flagged
CHART_HEIGHT, BAR_WIDTH, BAR_GAP = 100, 8, 2
DRY_RUN_SALT, DRY_RUN_AGE = "moderation.invalidate", 3600

HOLD_REASONS = {
    "blocked-address": gettext_lazy("the e-mail address is on the block list"),
    "blocked-domain": gettext_lazy("the e-mail domain is on the block list"),
    "disposable-domain": gettext_lazy("a disposable e-mail domain"),
    "blocked-range": gettext_lazy("the network range is on the block list"),
    "address-burst": gettext_lazy("too many from one address within a minute"),
    "address-rate": gettext_lazy("too many from one address within an hour"),
    "domain-rate": gettext_lazy("too many from one e-mail domain within an hour"),
}

CONDITION_LABELS = {
    "domain": gettext_lazy("E-mail domain"),
    "ip_range": gettext_lazy("Address range"),
    "since": gettext_lazy("Signed at or after"),
    "until": gettext_lazy("Signed before"),
    "country": gettext_lazy("Country declared"),
    "name_pattern": gettext_lazy("Name pattern"),
    "held_reason": gettext_lazy("Held because"),
}


@dataclass
class Share:
    value: str
    count: int
    percent: float
    held: int = 0
    label: str = ""
    hour_count: int = 0
    hour_percent: float = 0.0
    jumped: bool = False


@dataclass
class Hour:
    start: datetime
    signed: int = 0
    held: int = 0
    invalidated: int = 0
    x: int = 0
    y: float = CHART_HEIGHT
    height: float = 0


@dataclass
class Report:
    counted: int
    totals: dict
    held: list[dict]
    hours: list[Hour]
    blocks: list[Share]
    domains: list[Share]
    countries: list[Share]
    busiest: Hour | None = None
    chart_width: int = HOURS * (BAR_WIDTH + BAR_GAP)
    chart_height: int = CHART_HEIGHT
    bar_width: int = BAR_WIDTH


def live(petition: Petition) -> QuerySet[Signature]:
    """Signatures that still count or could (what an invalidation can act on)."""
    return Signature.objects.filter(
        petition=petition, withdrawn_at__isnull=True, invalidated_at__isnull=True
    )


def report(petition: Petition, now: datetime) -> Report:
    day_start = now - timedelta(hours=24)
    hours = per_hour(petition, now)
    busiest = max(hours, key=lambda h: h.signed) if any(h.signed for h in hours) else None
    return Report(
        counted=count_for(petition),
        totals=totals(petition),
        held=held_by_reason(petition),
        hours=hours,
        busiest=busiest,
        blocks=top_values(petition, "ip_block", day_start),
        domains=top_values(petition, "email_domain", day_start),
        countries=countries_with_jumps(petition, now),
    )


def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def totals(petition: Petition) -> dict:
    alive = Q(withdrawn_at__isnull=True, invalidated_at__isnull=True)
    found = Signature.objects.filter(petition=petition).aggregate(
        live=Count("pk", filter=alive),
        unconfirmed=Count("pk", filter=alive & Q(confirmed_at__isnull=True)),
        held=Count("pk", filter=alive & ~Q(held_reason="")),
        invalidated=Count("pk", filter=Q(invalidated_at__isnull=False)),
        withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
    )
    found["unconfirmed_percent"] = percent(found["unconfirmed"], found["live"])
    return found


def hold_reasons(petition: Petition) -> list[str]:
    """The hold reasons a moderator can pick: the known ones and any this petition has."""
    found = Signature.objects.filter(petition=petition).held().values_list("held_reason")
    return sorted({*HOLD_REASONS, *(reason for (reason,) in found.distinct().order_by())})


def held_by_reason(petition: Petition) -> list[dict]:
    rows = (
        Signature.objects.filter(petition=petition)
        .held()
        .values("held_reason")
        .annotate(count=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)))
        .order_by("-count", "held_reason")
    )
    return [{**row, "label": HOLD_REASONS.get(row["held_reason"], "")} for row in rows]


def per_hour(petition: Petition, now: datetime) -> list[Hour]:
    """The last HOURS clock hours (UTC, shown in local time), oldest first, as table rows
    and as bars of an SVG chart drawn with presentation attributes only (strict CSP)."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    hours = [Hour(start=end - timedelta(hours=HOURS - i)) for i in range(HOURS)]
    rows = (
        Signature.objects.filter(petition=petition, created_at__gte=hours[0].start)
        .filter(created_at__lt=end)
        .annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("hour")
        .annotate(
            signed=Count("pk"),
            held=Count("pk", filter=~Q(held_reason="")),
            invalidated=Count("pk", filter=Q(invalidated_at__isnull=False)),
        )
        .order_by()
    )
    by_start = {h.start: h for h in hours}
    for row in rows:
        if hour := by_start.get(row["hour"].astimezone(UTC)):
            hour.signed, hour.held, hour.invalidated = (
                row["signed"],
                row["held"],
                row["invalidated"],
            )
    highest = max(h.signed for h in hours) or 1
    for i, hour in enumerate(hours):
        hour.x = i * (BAR_WIDTH + BAR_GAP)
        hour.height = round(max(CHART_HEIGHT * hour.signed / highest, 1 if hour.signed else 0), 1)
        hour.y = CHART_HEIGHT - hour.height
    return hours


def top_values(petition: Petition, field_name: str, since: datetime) -> list[Share]:
    rows = live(petition).filter(created_at__gte=since)
    total = rows.count()
    top = (
        rows.exclude(**{field_name: ""})
        .values(field_name)
        .annotate(count=Count("pk"), held=Count("pk", filter=~Q(held_reason="")))
        .order_by("-count", field_name)[:TOP]
    )
    return [
        Share(r[field_name], r["count"], percent(r["count"], total), held=r["held"]) for r in top
    ]


def countries_with_jumps(petition: Petition, now: datetime) -> list[Share]:
    """The top countries by share of all signatures, with their share of the last hour;
    a country whose share of the last hour jumped is flagged (and listed even if it is
    not among the top)."""
    overall = _by_country(live(petition))
    hour = _by_country(live(petition).filter(created_at__gte=now - timedelta(hours=1)))
    total, hour_total = sum(overall.values()), sum(hour.values())
    shares = []
    for rank, (code, count) in enumerate(sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))):
        share = Share(code, count, percent(count, total), label=str(countries.name(code) or code))
        share.hour_count, share.hour_percent = (
            hour.get(code, 0),
            percent(hour.get(code, 0), hour_total),
        )
        share.jumped = hour_total >= JUMP_MIN and share.hour_percent - share.percent >= JUMP_POINTS
        if rank < TOP or share.jumped:
            shares.append(share)
    return shares


def _by_country(rows: QuerySet[Signature]) -> dict[str, int]:
    grouped = rows.values("country").annotate(n=Count("pk")).order_by()
    return {str(row["country"]): row["n"] for row in grouped}


def described(invalidations) -> list[tuple]:
    """Each invalidation with its conditions as (label, value) pairs, for the audit list."""
    return [
        (inv, [(CONDITION_LABELS.get(k, k), v) for k, v in inv.conditions.items()])
        for inv in invalidations
    ]


# The dry run: "Invalidate N signatures" is accepted only with a fresh count of the same
# conditions, carried in a signed hidden field, and only if that count still holds.


@dataclass(frozen=True)
class Matches:
    matched: int  # signatures the conditions select now
    counted: int  # of which the public count includes: the count drops by this much


def count_matches(petition: Petition, conditions: dict) -> Matches:
    rows = matching(petition, conditions)
    try:
        with transaction.atomic():  # a savepoint: a refused pattern leaves no broken transaction
            return Matches(rows.count(), rows.counted().count())
    except DataError:  # PostgreSQL's regular expressions are not quite Python's
        raise BadConditions(_("The database cannot use this name pattern: simplify it.")) from None


def sign_dry_run(petition: Petition, conditions: dict, matches: Matches) -> str:
    payload = {"petition": petition.pk, "conditions": conditions, "counts": list(_counts(matches))}
    return signing.dumps(payload, salt=DRY_RUN_SALT)


def dry_run_problem(token: str, petition: Petition, conditions: dict, matches: Matches) -> str:
    """Why the shown count cannot be acted on ("" if it can)."""
    try:
        checked = signing.loads(token, salt=DRY_RUN_SALT, max_age=DRY_RUN_AGE)
    except signing.BadSignature:
        return _("Count the matching signatures first, then invalidate them.")
    if checked["petition"] != petition.pk or checked["conditions"] != conditions:
        return _("The conditions changed after you counted: count the matching signatures again.")
    before = tuple(checked["counts"])
    if before != _counts(matches):
        return _(
            "%(before)d signatures matched when you counted, %(now)d match now. Check the new "
            "number, then invalidate again."
        ) % {"before": before[0], "now": matches.matched}
    return ""


def _counts(matches: Matches) -> tuple[int, int]:
    return (matches.matched, matches.counted)
