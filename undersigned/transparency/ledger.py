"""The public ledger of changes to a petition's count (docs/transparency.md, "Changes to
the count").

Every change to a count other than a person's own confirm or withdraw — a bulk
invalidation, its reversal, a release of held signatures, paper sheets — is a CountChange
row, written by the action that makes the change inside its transaction, with the log
entries it adds pointing at it (actions.append_events(change_id=…)). The page and its
JSON publish the rows; `undersigned verify` checks them against the log.

Nothing here may name a signer: a UTC day, a number, a reason code, and the criteria as
codes put in words when shown ("signatures from one address range, made in 4 minutes"),
never the domain, range, pattern or times a moderator typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_countries import countries

from undersigned.lib.publictime import utc_date
from undersigned.petitions.models import Petition
from undersigned.transparency.models import CountChange, Entry

Kind = CountChange.Kind

# The one-line public reason of each kind of change.
REASONS = {
    Kind.INVALIDATED: gettext_lazy(
        "Moderators found these signatures invalid and took them out of the count."
    ),
    Kind.REINSTATED: gettext_lazy(
        "Moderators undid an earlier invalidation: these signatures count again."
    ),
    Kind.RELEASED: gettext_lazy(
        "Signatures held for review because they looked unusual were checked by a "
        "moderator and now count."
    ),
    Kind.PAPER_ADDED: gettext_lazy(
        "The organizers typed in signatures collected on paper. They are shown beside the "
        "online count, not in it."
    ),
    Kind.PAPER_CHANGED: gettext_lazy(
        "The organizers corrected the number of signatures on a paper sheet."
    ),
    Kind.PAPER_REMOVED: gettext_lazy("The organizers removed a paper sheet."),
}


def reason_text(kind: str) -> str:
    return str(REASONS.get(kind, ""))


# Criteria: codes only.


def criteria_of(conditions: dict) -> dict:
    """An invalidation's conditions (signatures/invalidation.py) as codes that say what
    kind of condition it was and nothing that could name anyone: not the domain, the
    range, the pattern or the times, only how long a time window was, and the country."""
    criteria: dict = {}
    if conditions.get("domain"):
        criteria["domain"] = True
    if conditions.get("ip_range"):
        criteria["address_range"] = True
    if conditions.get("name_pattern"):
        criteria["name_pattern"] = True
    if country := str(conditions.get("country") or "").strip().upper():
        criteria["country"] = country[:2]
    if held := conditions.get("held_reason"):
        criteria["held"] = str(held)[:32]
    since, until = (
        _moment(conditions[key]) if conditions.get(key) else None for key in ("since", "until")
    )
    if since and until and until > since:
        criteria["minutes"] = max(1, round((until - since).total_seconds() / 60))
    elif since or until:
        criteria["time_window"] = True
    return criteria


def _moment(value) -> datetime | None:
    """A condition's time, aware (a naive one is read as UTC: only lengths matter here)."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Why signatures were held (signatures/risk.py's codes), in words.
HELD_WORDS = {
    "blocked-address": gettext_lazy("a blocked e-mail address"),
    "blocked-domain": gettext_lazy("a blocked e-mail domain"),
    "disposable-domain": gettext_lazy("a disposable e-mail domain"),
    "blocked-range": gettext_lazy("a blocked address range"),
    "address-burst": gettext_lazy("many signatures from one address at once"),
    "address-rate": gettext_lazy("too many signatures from one address"),
    "domain-rate": gettext_lazy("too many signatures from one e-mail domain"),
}


def criteria_words(criteria: dict) -> str:
    """The criteria in the reader's language, e.g. "Signatures from one address range,
    made in 4 minutes"; "" when there were none to tell."""
    parts = []
    if criteria.get("address_range"):
        parts.append(_("from one address range"))
    if criteria.get("domain"):
        parts.append(_("with e-mail addresses at one domain"))
    if country := criteria.get("country"):
        parts.append(_("from %(country)s") % {"country": countries.name(country) or country})
    if criteria.get("name_pattern"):
        parts.append(_("whose names follow one pattern"))
    if "held" in criteria:
        held = criteria["held"]
        parts.append(
            _("held for review: %(why)s") % {"why": HELD_WORDS.get(held, held)}
            if held
            else _("held for review")
        )
    if minutes := criteria.get("minutes"):
        parts.append(
            ngettext("made in %(n)s minute", "made in %(n)s minutes", minutes) % {"n": minutes}
        )
    elif criteria.get("time_window"):
        parts.append(_("made in a given time"))
    if criteria.get("before_ledger"):
        return _("Recorded before this ledger was kept: the criteria were not.")
    if not parts:
        return ""
    if criteria.get("paper"):
        return _("Signatures on paper %(criteria)s") % {"criteria": ", ".join(parts)}
    return _("Signatures %(criteria)s") % {"criteria": ", ".join(parts)}


# Writing


def record_change(
    petition_id: int,
    kind: str,
    delta: int,
    now: datetime,
    criteria: dict | None = None,
    source: str = "",
) -> CountChange:
    """Add a line to the ledger, or `delta` to the line of the same `source` and kind
    (an invalidation works in batches, each its own transaction: one line in all). Call
    it inside the transaction that moves the count; pass the line's id to append_events
    for the log entries the change adds."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change() belongs inside the transaction that moves the count")
    if source:
        line = (
            CountChange.objects.select_for_update()
            .filter(petition_id=petition_id, kind=kind, source=source)
            .first()
        )
        if line is not None:
            line.delta += delta
            line.save(update_fields=["delta"])
            return line
    return CountChange.objects.create(
        petition_id=petition_id, kind=kind, day=utc_date(now), delta=delta,
        criteria=criteria or {}, source=source,
    )  # fmt: skip


# Reading


@dataclass
class ShownChange:
    day: date
    kind: str
    label: str
    scope: str
    delta: int
    reason: str
    criteria: str
    criteria_codes: dict
    entries: list[tuple[int, int]] = field(default_factory=list)  # numbers, from 1
    entries_waiting: int = 0  # logged, not numbered yet (within seconds)

    @property
    def magnitude(self) -> int:
        return abs(self.delta)

    def as_json(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "kind": self.kind,
            "scope": self.scope,
            "delta": self.delta,
            "reason": self.reason,
            "criteria": self.criteria,
            "criteria_codes": self.criteria_codes,
            "entries": [list(span) for span in self.entries],
            "entries_waiting": self.entries_waiting,
        }


@dataclass
class Totals:
    changes: int = 0
    removed: int = 0
    added: int = 0


def spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted numbers as runs: [3, 4, 5, 9] → [(3, 5), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def ledger_of(petition: Petition) -> list[ShownChange]:
    """The petition's ledger, oldest first, with the log entries of each line (two
    queries: the lines, then their entries through the entry_of_change index)."""
    lines = list(CountChange.objects.filter(petition=petition).order_by("day", "pk"))
    numbers: dict[int, list[int]] = {line.pk: [] for line in lines}
    waiting: dict[int, int] = dict.fromkeys(numbers, 0)
    rows = Entry.objects.filter(change_id__in=list(numbers)).order_by("change_id", "leaf_index")
    for change_id, leaf_index in rows.values_list("change_id", "leaf_index"):
        if leaf_index is None:
            waiting[change_id] += 1
        else:
            numbers[change_id].append(leaf_index + 1)
    return [
        ShownChange(
            day=line.day,
            kind=line.kind,
            label=str(line.get_kind_display()),
            scope=line.scope,
            delta=line.delta,
            reason=reason_text(line.kind),
            criteria=criteria_words(line.criteria),
            criteria_codes=line.criteria,
            entries=spans(sorted(numbers[line.pk])),
            entries_waiting=waiting[line.pk],
        )
        for line in lines
    ]


def totals(changes: list[ShownChange], scope: str) -> Totals:
    result = Totals()
    for change in changes:
        if change.scope == scope:
            result.changes += 1
            result.removed += -change.delta if change.delta < 0 else 0
            result.added += change.delta if change.delta > 0 else 0
    return result
