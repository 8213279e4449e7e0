"""The public ledger of changes to the count, for what happened before it was kept.

Where the data allows:

1. An invalidation whose signatures still point at it (done or cancelled, not reverted)
   gets its line, with the criteria of its conditions and the "invalidated" entries of
   those signatures (found through their commitments).
2. Every other "invalidated" or "reverted" entry (a reverted invalidation forgot its
   signatures; a withdrawn signature's commitment is erased) gets a line per petition,
   kind and day that says its criteria were not recorded: the log then has no bulk entry
   that the ledger does not name, which `undersigned verify` checks.
3. Every paper sheet gets a "paper signatures added" line for its count, on the day it
   was recorded.

Releases of held signatures left nothing to find them by: their entries look like any
confirmation, and they have no line.
"""

from datetime import UTC, datetime

from django.db import migrations

CHUNK = 500  # ids per IN (...): within SQLite's limit on query parameters


def _chunks(values: list) -> list[list]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def _day(moment: datetime):
    return moment.astimezone(UTC).date()


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def _criteria(conditions: dict) -> dict:
    """transparency/ledger.py's criteria_of as it was when this ran: codes, never values."""
    criteria: dict = {}
    for condition, code in (
        ("domain", "domain"), ("ip_range", "address_range"), ("name_pattern", "name_pattern"),
    ):  # fmt: skip
        if conditions.get(condition):
            criteria[code] = True
    if country := str(conditions.get("country") or "").strip().upper():
        criteria["country"] = country[:2]
    if held := conditions.get("held_reason"):
        criteria["held"] = str(held)[:32]
    since, until = (_moment(conditions.get(key)) for key in ("since", "until"))
    if since and until and until > since:
        criteria["minutes"] = max(1, round((until - since).total_seconds() / 60))
    elif conditions.get("since") or conditions.get("until"):
        criteria["time_window"] = True
    return criteria


def backfill(apps, schema_editor):
    CountChange = apps.get_model("transparency", "CountChange")
    Entry = apps.get_model("transparency", "Entry")
    Commitment = apps.get_model("transparency", "Commitment")
    Invalidation = apps.get_model("signatures", "Invalidation")
    Signature = apps.get_model("signatures", "Signature")
    PaperSheet = apps.get_model("delivery", "PaperSheet")

    for invalidation in Invalidation.objects.exclude(state="reverted").order_by("pk"):
        ids = list(Signature.objects.filter(invalidation=invalidation).values_list("pk", flat=True))
        entry_ids = []
        for chunk in _chunks(ids):
            commitments = list(
                Commitment.objects.filter(signature_id__in=chunk).values_list(
                    "entry__commitment", flat=True
                )
            )
            for part in _chunks(commitments):
                entry_ids += Entry.objects.filter(
                    petition_id=invalidation.petition_id, kind="invalidated",
                    change__isnull=True, commitment__in=part,
                ).values_list("pk", flat=True)  # fmt: skip
        if not entry_ids:
            continue
        change = CountChange.objects.create(
            petition_id=invalidation.petition_id, kind="invalidated",
            day=_day(invalidation.finished_at or invalidation.created_at), delta=-len(entry_ids),
            criteria=_criteria(invalidation.conditions), source=f"invalidation:{invalidation.pk}",
        )  # fmt: skip
        for chunk in _chunks(entry_ids):
            Entry.objects.filter(pk__in=chunk).update(change=change)

    groups: dict[tuple, list[int]] = {}
    unnamed = Entry.objects.filter(kind__in=["invalidated", "reverted"], change__isnull=True)
    for pk, petition_id, kind, time_ms in unnamed.values_list(
        "pk", "petition_id", "kind", "time_ms"
    ):
        day = datetime.fromtimestamp(time_ms / 1000, UTC).date()
        groups.setdefault((petition_id, kind, day), []).append(pk)
    for (petition_id, kind, day), entry_ids in sorted(groups.items()):
        invalidated = kind == "invalidated"
        change = CountChange.objects.create(
            petition_id=petition_id, kind="invalidated" if invalidated else "reinstated",
            day=day, delta=-len(entry_ids) if invalidated else len(entry_ids),
            criteria={"before_ledger": True},
        )  # fmt: skip
        for chunk in _chunks(entry_ids):
            Entry.objects.filter(pk__in=chunk).update(change=change)

    CountChange.objects.bulk_create(
        CountChange(
            petition_id=sheet.petition_id,
            kind="paper-added",
            day=_day(sheet.recorded_at),
            delta=sheet.count,
            criteria={"paper": True, "country": str(sheet.country)},
        )
        for sheet in PaperSheet.objects.order_by("recorded_at", "pk")
    )


def forget(apps, schema_editor):
    Entry = apps.get_model("transparency", "Entry")
    Entry.objects.filter(change__isnull=False).update(change=None)
    apps.get_model("transparency", "CountChange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("transparency", "0003_count_changes"),
        ("signatures", "0004_listentry"),
        ("delivery", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
