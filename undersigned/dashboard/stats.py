"""The figures on a petition's dashboard: aggregates only, never an address.

Every figure here is a GROUP BY over all of a petition's signatures, which at a million
rows takes a noticeable moment; `figures_for` keeps the result in the cache for
DASHBOARD_CACHE_SECONDS, so a team reloading its dashboard costs one computation a
minute. Only codes and numbers are cached: country names are looked up when the page is
rendered, in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Count, F, Func, Q
from django.db.models.functions import Substr, TruncDate, TruncHour
from django.utils import timezone

from undersigned.petitions.goals import ladder
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature, country_name

HOURS = 48
SOURCES = 50  # rows in the sources table; the rest are summed up in one line
CACHE_VERSION = 3  # bump when the shape of Figures changes

# The rows the public count is made of (SignatureQuerySet.counted), as a condition.
COUNTED = Q(
    confirmed_at__isnull=False, withdrawn_at__isnull=True, invalidated_at__isnull=True,
    held_reason="",
)  # fmt: skip
LIVE = Q(withdrawn_at__isnull=True, invalidated_at__isnull=True)
TOTALLED = ("made", "ever_confirmed", "pending", "held", "last_day")


@dataclass(frozen=True)
class Point:
    start: datetime | date
    count: int


@dataclass(frozen=True)
class Milestone:
    goal: int
    reached_at: datetime | None
    is_organizer_goal: bool = False


@dataclass(frozen=True)
class CountryRow:
    code: str
    count: int
    percent: float

    @property
    def name(self) -> str:
        return country_name(self.code) or self.code


@dataclass(frozen=True)
class SourceRow:
    source: str  # "" when the link had no ?source= or utm_source
    made: int
    confirmed: int

    @property
    def rate(self) -> float | None:
        """Share of the signatures made through this source that count now, in %."""
        return 100 * self.confirmed / self.made if self.made else None


@dataclass
class Figures:
    counted: int  # from the rows; the headline uses the shard count, which can run ahead
    made: int  # every signature ever made, whatever became of it
    ever_confirmed: int
    pending: int  # unconfirmed, not held: they count once their link is pressed
    held: int  # kept out of the count until a moderator looks at them
    last_day: int
    reminded: int = 0  # signers sent the one reminder (signatures/reminders.py)
    confirmed_after_reminder: int = 0
    hourly: list[Point] = field(default_factory=list)
    daily: list[Point] = field(default_factory=list)
    countries: list[CountryRow] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)
    more_sources: int = 0  # sources beyond the first SOURCES, not listed
    milestones: list[Milestone] = field(default_factory=list)
    computed_at: datetime = field(default_factory=timezone.now)

    @property
    def confirmation_rate(self) -> float | None:
        """Of every 100 signatures made, how many were confirmed by e-mail, in %."""
        return 100 * self.ever_confirmed / self.made if self.made else None

    @property
    def rate_without_reminders(self) -> float | None:
        """The confirmation rate had nobody been reminded: confirmations after a
        reminder left out, in %."""
        confirmed = self.ever_confirmed - self.confirmed_after_reminder
        return 100 * confirmed / self.made if self.made else None

    @property
    def reminder_rate(self) -> float | None:
        """Of every 100 signers reminded, how many confirmed after the reminder, in %."""
        return 100 * self.confirmed_after_reminder / self.reminded if self.reminded else None

    @property
    def days_with_signatures(self) -> list[Point]:
        return [point for point in self.daily if point.count]

    @property
    def busiest_hour(self) -> Point | None:
        return (
            max(self.hourly, key=lambda p: p.count) if any(p.count for p in self.hourly) else None
        )

    @property
    def busiest_day(self) -> Point | None:
        return _busiest(self.daily)


def _busiest(points: list[Point]) -> Point | None:
    best = max(points, key=lambda point: point.count, default=None)
    return best if best and best.count else None


def cache_key(petition_id: int) -> str:
    return f"dashboard:figures:{CACHE_VERSION}:{petition_id}"


def figures_for(petition: Petition, now: datetime | None = None) -> Figures:
    """The petition's figures, at most DASHBOARD_CACHE_SECONDS old.

    Stale figures stay in the cache ten times longer: when they are too old, one request
    works them out again (it holds a short lock) while the others keep showing the old
    ones, so a busy dashboard never runs the same GROUP BYs several times at once.
    """
    now = now or timezone.now()
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute_figures(petition, now)
    key = cache_key(petition.pk)
    figures = cache.get(key)
    if figures is not None and figures.computed_at > now - timedelta(seconds=seconds):
        return figures
    if figures is not None and not cache.add(f"{key}:lock", 1, 60):
        return figures  # another request is refreshing them
    try:
        figures = compute_figures(petition, now)
        cache.set(key, figures, seconds * 10)
    finally:
        cache.delete(f"{key}:lock")
    return figures


def compute_figures(petition: Petition, now: datetime) -> Figures:
    """Everything on the dashboard in two passes over the petition's rows (by source, and
    by day and country), plus two small index ranges (the last 48 hours, milestones)."""
    rows = Signature.objects.filter(petition=petition).order_by()
    counted = rows.filter(COUNTED)
    per_source = list(
        rows.values("source")
        .annotate(
            made=Count("pk"),
            ever_confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            pending=Count("pk", filter=LIVE & Q(confirmed_at__isnull=True, held_reason="")),
            held=Count("pk", filter=LIVE & ~Q(held_reason="")),
            counted=Count("pk", filter=COUNTED),
            last_day=Count("pk", filter=COUNTED & Q(confirmed_at__gte=now - timedelta(hours=24))),
            reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
            confirmed_after_reminder=Count(
                "pk", filter=Q(reminded_at__isnull=False, confirmed_at__gt=F("reminded_at"))
            ),
        )
        .order_by("-counted", "-made", "source")
    )
    totals = {
        name: sum(row[name] for row in per_source)
        for name in (*TOTALLED, "reminded", "confirmed_after_reminder")
    }
    per_day: dict[date, int] = defaultdict(int)
    per_country: dict[str, int] = defaultdict(int)
    for row in counted.annotate(day=_day()).values("day", "country").annotate(n=Count("pk")):
        day = date.fromisoformat(row["day"]) if isinstance(row["day"], str) else row["day"]
        per_day[day] += row["n"]
        per_country[str(row["country"])] += row["n"]
    daily = daily_series(per_day, petition, now)
    total = sum(per_day.values())
    return Figures(
        counted=total,
        **totals,
        hourly=hourly_series(counted, now),
        daily=daily,
        countries=by_country(per_country, total),
        sources=[SourceRow(r["source"], r["made"], r["counted"]) for r in per_source[:SOURCES]],
        more_sources=max(len(per_source) - SOURCES, 0),
        milestones=milestones(counted, daily, petition.goal),
        computed_at=now,
    )


def _day() -> Func:
    """The day of confirmation in the site's time zone. SQLite's TruncDate calls back into
    Python for every row (most of the time at a million rows); when the zone is UTC the
    stored text already starts with the day."""
    if connection.vendor == "sqlite" and timezone.get_current_timezone_name() == "UTC":
        return Substr("confirmed_at", 1, 10, output_field=CharField())
    return TruncDate("confirmed_at")


def hourly_series(counted, now: datetime) -> list[Point]:
    """Confirmations per hour for the last HOURS hours, oldest first, empty hours as 0.
    A range on the (petition, -confirmed_at) index."""
    this_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    start = this_hour - timedelta(hours=HOURS - 1)
    found = {
        row["hour"].timestamp(): row["n"]
        for row in counted.filter(confirmed_at__gte=start)
        .annotate(hour=TruncHour("confirmed_at"))
        .values("hour")
        .annotate(n=Count("pk"))
    }
    hours = [start + timedelta(hours=i) for i in range(HOURS)]
    return [Point(hour, found.get(hour.timestamp(), 0)) for hour in hours]


def daily_series(per_day: dict[date, int], petition: Petition, now: datetime) -> list[Point]:
    """Confirmations per day (in the site's time zone) over the petition's whole life,
    from the day it opened (or its first confirmation) to today, empty days as 0."""
    today = timezone.localdate(now)
    starts = [*per_day, today]
    if petition.opened_at:
        starts.append(timezone.localdate(petition.opened_at))
    first = min(starts)
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    return [Point(day, per_day.get(day, 0)) for day in days]


def by_country(per_country: dict[str, int], total: int) -> list[CountryRow]:
    """Counted signatures per declared country, most first."""
    ranked = sorted(per_country.items(), key=lambda item: (-item[1], item[0]))
    return [CountryRow(code, n, 100 * n / total if total else 0.0) for code, n in ranked]


def milestones(counted, daily: list[Point], organizer_goal: int) -> list[Milestone]:
    """Each rung of the goal ladder (and the organizer's own goal) that the count has
    passed, with when it was reached.

    1. Walk the daily totals to find the day on which the Nth counted signature came.
    2. Fetch that one signature's confirmation time with an OFFSET within that day, so
       no query scans more than one day of signatures.
    Withdrawn or invalidated signatures are not in the count, so a date is when the
    signatures that count today reached the goal.
    """
    total = sum(point.count for point in daily)
    wanted: dict[int, bool] = {}
    for rung in ladder():
        if rung > total:
            break
        wanted[rung] = False
    if 0 < organizer_goal <= total:
        wanted[organizer_goal] = True
    goals = sorted(wanted.items())
    reached, before, days = [], 0, iter(daily)
    day = next(days, None)
    for goal, own in goals:
        while day is not None and before + day.count < goal:
            before += day.count
            day = next(days, None)
        if day is None:
            break
        start = timezone.make_aware(datetime.combine(day.start, time.min))
        moment = (
            counted.filter(confirmed_at__gte=start, confirmed_at__lt=start + timedelta(days=1))
            .order_by("confirmed_at", "pk")
            .values_list("confirmed_at", flat=True)[goal - before - 1 : goal - before]
        )
        reached.append(Milestone(goal, next(iter(moment), None), own))
    return reached


# The country table's orders, from ?sort=: by count (most first) or by name (A to Z),
# each reversible with a leading "-".
COUNTRY_SORTS = {"count", "country"}


def country_order(value: str) -> tuple[str, bool]:
    """(column, descending) from ?sort=; anything unknown means most signatures first."""
    reverse, column = value.startswith("-"), value.lstrip("-")
    if column not in COUNTRY_SORTS:
        return "count", True
    descending = not reverse if column == "count" else reverse
    return column, descending


def sort_countries(rows: list[CountryRow], column: str, descending: bool) -> list[CountryRow]:
    if column == "country":
        return sorted(rows, key=lambda row: row.name.casefold(), reverse=descending)
    return sorted(rows, key=lambda row: (row.count, row.name), reverse=descending)
