"""Moderators' bulk tools: invalidate signatures by conditions (audited, cancellable,
idempotent, revertible) and release signatures that were held.

Every change keeps the count exact: rows that stop or start counting move their shard
by exactly their number, in the same transaction as the rows themselves.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.petitions.models import Petition
from undersigned.signatures.actions import add_to_count, forget_counts
from undersigned.signatures.models import Invalidation, Signature
from undersigned.transparency import ledger
from undersigned.transparency.actions import append_events

BATCH = 1000
CONDITIONS = ("domain", "ip_range", "since", "until", "country", "name_pattern", "held_reason")


class BadConditions(ValueError):
    """Conditions a moderator typed that cannot select anything sensibly."""


def matching(petition: Petition, conditions: dict) -> QuerySet[Signature]:
    """Signatures of `petition` that meet every condition and still count or could."""
    rows = Signature.objects.filter(
        petition=petition, withdrawn_at__isnull=True, invalidated_at__isnull=True
    )
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise BadConditions(_("Unknown conditions: %s") % ", ".join(sorted(unknown)))
    if not any(conditions.get(name) for name in CONDITIONS):
        raise BadConditions(_("Give at least one condition besides the petition."))
    if domain := conditions.get("domain"):
        domain = domain.strip().lower().lstrip("@")
        rows = rows.filter(Q(email_domain=domain) | Q(email_domain__endswith="." + domain))
    if ip_range := conditions.get("ip_range"):
        rows = rows.filter(ip_block__in=_blocks_within(petition, ip_range))
    if since := conditions.get("since"):
        rows = rows.filter(created_at__gte=_when(since))
    if until := conditions.get("until"):
        rows = rows.filter(created_at__lt=_when(until))
    if country := conditions.get("country"):
        rows = rows.filter(country=country.strip().upper())
    if pattern := conditions.get("name_pattern"):
        try:
            re.compile(pattern)
        except re.error:
            raise BadConditions(_("The name pattern is not a valid regular expression.")) from None
        rows = rows.filter(name__iregex=pattern[:200])
    if reason := conditions.get("held_reason"):
        rows = rows.filter(held_reason=reason)
    return rows


def _blocks_within(petition: Petition, ip_range: str) -> list[str]:
    try:
        wanted = ipaddress.ip_network(ip_range.strip(), strict=False)
    except ValueError:
        raise BadConditions(_("Enter an address range like 192.0.2.0/24.")) from None
    blocks = Signature.objects.filter(petition=petition).exclude(ip_block="")
    found = []
    for value in blocks.values_list("ip_block", flat=True).distinct():
        net = ipaddress.ip_network(value)
        if net.version == wanted.version and (net.subnet_of(wanted) or wanted.subnet_of(net)):
            found.append(value)
    return found


def _when(value) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadConditions(_("Enter times like 2026-11-24T18:00.")) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _move_counts(petition_id: int, shards: list[tuple[int, str]], sign: int) -> None:
    """Move the count by the rows that start (+1) or stop (-1) counting, given as the
    (shard, region) of each: a region's count moves with the total."""
    for (shard, region), n in Counter(shards).items():
        add_to_count(petition_id, shard, sign * n, region)
    forget_counts(petition_id)


def start_invalidation(
    petition: Petition, conditions: dict, reason: str, moderator
) -> Invalidation:
    """Record the decision (who, when, what) and queue the work; returns at once."""
    from undersigned.signatures.tasks import run_invalidation

    matched = matching(petition, conditions).count()
    with transaction.atomic():
        invalidation = Invalidation.objects.create(
            petition=petition, conditions=conditions, reason=reason, matched=matched,
            created_by=moderator,
        )  # fmt: skip
        run_invalidation.enqueue(invalidation.pk)
    return invalidation


def continue_invalidation(invalidation_id: int) -> int:
    """Invalidate matching rows in batches until done or cancelled. Safe to rerun: each
    batch takes only rows not yet invalidated, under a row lock."""
    done = 0
    while True:
        with transaction.atomic():
            invalidation = Invalidation.objects.select_for_update().get(pk=invalidation_id)
            if invalidation.state != Invalidation.State.RUNNING:
                return done
            # Only rows that existed when the moderator decided: later signatures are not
            # swept in, so the count drops by what the moderator was shown.
            rows = matching(invalidation.petition, invalidation.conditions).filter(
                created_at__lte=invalidation.created_at
            )
            fields = ("pk", "shard", "confirmed_at", "held_reason", "region")
            batch = list(rows.select_for_update().values_list(*fields)[:BATCH])
            if not batch:
                invalidation.state, invalidation.finished_at = (
                    Invalidation.State.DONE,
                    timezone.now(),
                )
                invalidation.save(update_fields=["state", "finished_at"])
                return done
            Signature.objects.filter(pk__in=[pk for pk, *_ in batch]).update(
                invalidated_at=timezone.now(), invalidation=invalidation
            )
            counted = [(shard, region) for _pk, shard, confirmed, held, region in batch
                       if confirmed and not held]  # fmt: skip
            _move_counts(invalidation.petition_id, counted, -1)
            now = timezone.now()
            # The public ledger's line for this invalidation (one for all its batches).
            change = ledger.record_change(
                invalidation.petition_id, ledger.Kind.INVALIDATED, -len(counted), now,
                ledger.criteria_of(invalidation.conditions), f"invalidation:{invalidation.pk}",
            ) if counted else None  # fmt: skip
            append_events(
                invalidation.petition_id,
                [pk for pk, _s, confirmed, held, _r in batch if confirmed and not held],
                "invalidated",
                now,
                change.pk if change else None,
            )
            invalidation.invalidated += len(batch)
            invalidation.save(update_fields=["invalidated"])
            done += len(batch)


def cancel_invalidation(invalidation: Invalidation) -> bool:
    """Stop a running invalidation after its current batch (what is done stays done)."""
    return bool(
        Invalidation.objects.filter(pk=invalidation.pk, state=Invalidation.State.RUNNING).update(
            state=Invalidation.State.CANCELLED, finished_at=timezone.now()
        )
    )


def revert_invalidation(invalidation: Invalidation, moderator) -> int:
    """Give back every signature this invalidation took; the count rises by exactly those
    that counted before."""
    with transaction.atomic():
        locked = Invalidation.objects.select_for_update().get(pk=invalidation.pk)
        if locked.state == Invalidation.State.RUNNING:
            raise BadConditions(_("Cancel the invalidation before reverting it."))
        if locked.state == Invalidation.State.REVERTED:
            return 0
        rows = list(
            Signature.objects.select_for_update()
            .filter(invalidation=locked, withdrawn_at__isnull=True)
            .values_list("pk", "shard", "confirmed_at", "held_reason", "invalidated_at", "region")
        )
        Signature.objects.filter(pk__in=[row[0] for row in rows]).update(
            invalidated_at=None, invalidation=None
        )
        back = [(pk, (shard, region), confirmed <= taken)
                for pk, shard, confirmed, held, taken, region in rows
                if confirmed and not held]  # fmt: skip
        _move_counts(locked.petition_id, [where for _pk, where, _was in back], +1)
        # Counted before the invalidation: "reverted". Confirmed only while invalidated
        # (so never counted until now): "confirmed", as the log has not seen it yet.
        now = timezone.now()
        change = ledger.record_change(
            locked.petition_id, ledger.Kind.REINSTATED, len(back), now,
            ledger.criteria_of(locked.conditions), f"revert:{locked.pk}",
        ) if back else None  # fmt: skip
        change_id = change.pk if change else None
        reverted = [pk for pk, _s, was in back if was]
        append_events(locked.petition_id, reverted, "reverted", now, change_id)
        confirmed = [pk for pk, _s, was in back if not was]
        append_events(locked.petition_id, confirmed, "confirmed", now, change_id)
        locked.state, locked.reverted_by, locked.reverted_at = (
            Invalidation.State.REVERTED,
            moderator,
            timezone.now(),
        )
        locked.save(update_fields=["state", "reverted_by", "reverted_at"])
    return len(rows)


def release_held(petition: Petition, reason: str | None = None) -> int:
    """Count the held signatures (of one hold reason, or all) after a moderator's review."""
    held = Signature.objects.filter(petition=petition).held()
    if reason:
        held = held.filter(held_reason=reason)
    with transaction.atomic():
        rows = list(held.select_for_update().values_list("pk", "shard", "confirmed_at", "region"))
        Signature.objects.filter(pk__in=[pk for pk, *_ in rows]).update(held_reason="")
        counted = [(shard, region) for _pk, shard, confirmed, region in rows if confirmed]
        _move_counts(petition.pk, counted, +1)
        # A released signature counts for the first time: its log entry is "confirmed".
        released, now = [pk for pk, _s, c, _r in rows if c], timezone.now()
        change = (
            ledger.record_change(
                petition.pk, ledger.Kind.RELEASED, len(released), now, {"held": reason or ""}
            )
            if released
            else None
        )
        append_events(petition.pk, released, "confirmed", now, change.pk if change else None)
    return len(rows)
