"""Writes about delivery: ask for a pack, build it (in the request or the worker), recover
packs a dead worker left, log downloads, record paper signatures.

A pack is built once: `build_pack` claims its row with a conditional UPDATE, and the
files it writes are kept only if its claim still holds when it finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from undersigned.delivery import packs
from undersigned.delivery.models import DeliveryPack, Download, PaperSheet
from undersigned.petitions.models import Petition, Target
from undersigned.signatures.actions import count_for
from undersigned.transparency.ledger import record_change
from undersigned.transparency.models import CountChange

logger = logging.getLogger(__name__)

State = DeliveryPack.State
# A pack "generating" whose worker has not beaten for this long lost its worker (the
# writer beats every few thousand rows, at most every HEARTBEAT).
STUCK_AFTER = timedelta(minutes=10)
HEARTBEAT = timedelta(seconds=30)
# A pack "requested" this long ago whose task never ran (or was pruned) is queued again.
LOST_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3


def paper_key(petition_id: int) -> str:
    return f"delivery:paper:{petition_id}"


def paper_total(petition: Petition) -> int:
    """The paper signatures beside the public count (cached; every write clears it)."""
    total = cache.get(paper_key(petition.pk))
    if total is None:
        total = PaperSheet.objects.of(petition).total()
        cache.set(paper_key(petition.pk), total, 300)
    return total


# Delivery packs


def request_pack(
    petition: Petition, target: Target | None, user, now: datetime | None = None
) -> DeliveryPack:
    """Ask for a pack addressed to `target` (None: all the decision makers). Small
    petitions get it at once; larger ones from the worker. A pack already on its way is
    returned instead of a second one (double clicks)."""
    from undersigned.delivery.tasks import build_delivery_pack

    now = now or timezone.now()
    with transaction.atomic():
        waiting = DeliveryPack.objects.filter(
            petition=petition, target=target, state__in=[State.REQUESTED, State.GENERATING]
        ).first()
        if waiting:
            return waiting
        pack = DeliveryPack.objects.create(
            petition=petition, target=target, requested_by=user, requested_at=now,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )  # fmt: skip
        inline = count_for(petition) <= settings.DELIVERY_INLINE_MAX
        if not inline:
            build_delivery_pack.enqueue(pack.pk)
    if inline:
        build_pack(pack.pk, now)
    return DeliveryPack.objects.get(pk=pack.pk)


def build_pack(pack_id: int, now: datetime | None = None) -> str:
    """Claim the pack, write its files, and mark it ready (or failed). Returns what
    happened: "ready", "failed" or "skipped" (another run has it, or it is done)."""
    now = now or timezone.now()
    claimable = Q(state=State.REQUESTED) | Q(state=State.GENERATING, alive_at__lt=now - STUCK_AFTER)
    claimed = DeliveryPack.objects.filter(claimable, pk=pack_id).update(
        state=State.GENERATING, claimed_at=now, alive_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    pack = DeliveryPack.objects.select_related("petition", "target").get(pk=pack_id)
    mine = DeliveryPack.objects.filter(pk=pack_id, state=State.GENERATING, claimed_at=now)
    try:
        with translation.override(pack.language):
            written = packs.write_files(pack, now, beat=_heartbeat(mine))
    except Exception as error:  # any failure: say so on the dashboard, never stay stuck
        logger.exception("delivery pack %s failed", pack_id)
        mine.update(state=State.FAILED, error=f"{type(error).__name__}: {error}"[:300])
        return "failed"
    with transaction.atomic():
        kept = mine.update(
            state=State.READY, generated_at=now, error="", file_stem=written.stem,
            online_count=written.online_count, paper_count=written.paper_count,
            listed_in_pdf=written.listed_in_pdf, pdf_sha256=written.pdf_sha256,
            csv_sha256=written.csv_sha256, pdf_bytes=written.pdf_bytes,
            csv_bytes=written.csv_bytes,
        )  # fmt: skip
        replaced = _forget_older(pack) if kept else []
    for petition_id, stem in replaced:
        packs.remove_files(petition_id, stem)
    if not kept:  # recovered meanwhile: the other run's files are the pack's
        packs.remove_files(pack.petition_id, written.stem)
        return "skipped"
    return "ready"


def _heartbeat(mine) -> Callable[[], None]:
    """Tell recovery this run is alive, at most every HEARTBEAT."""
    last = timezone.now()

    def beat() -> None:
        nonlocal last
        if timezone.now() - last >= HEARTBEAT:
            last = timezone.now()
            mine.update(alive_at=last)

    return beat


def _forget_older(pack: DeliveryPack) -> list[tuple[int, str]]:
    """Only the newest finished pack per decision maker is kept (the download log keeps
    the older ones' hashes). Returns the files to remove once this is committed."""
    older = DeliveryPack.objects.filter(
        petition_id=pack.petition_id, target_id=pack.target_id,
        state__in=[State.READY, State.FAILED], requested_at__lte=pack.requested_at,
    ).exclude(pk=pack.pk)  # fmt: skip
    files = list(older.values_list("petition_id", "file_stem"))
    older.delete()
    return files


def recover_stuck_packs(now: datetime | None = None) -> int:
    """Queue again the packs whose worker died (still "generating" after STUCK_AFTER)
    or whose task was lost; give up after MAX_ATTEMPTS. Returns how many were queued."""
    from undersigned.delivery.tasks import build_delivery_pack

    now = now or timezone.now()
    stuck = DeliveryPack.objects.filter(state=State.GENERATING, alive_at__lt=now - STUCK_AFTER)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=State.FAILED, error="The worker stopped every time it prepared this pack."
    )
    stuck.update(state=State.REQUESTED)
    lost = DeliveryPack.objects.filter(
        Q(state=State.REQUESTED)
        & (Q(alive_at__lt=now - STUCK_AFTER) | Q(requested_at__lt=now - LOST_AFTER))
    )
    queued = 0
    for pack_id in lost.values_list("pk", flat=True):
        build_delivery_pack.enqueue(pack_id)
        queued += 1
    return queued


def forget_old_packs(now: datetime | None = None) -> int:
    """Delete packs (files and rows) made more than DELIVERY_KEEP_DAYS ago: they hold
    names that signers may since have withdrawn, or that retention has erased."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.DELIVERY_KEEP_DAYS)
    old = DeliveryPack.objects.filter(
        Q(state=State.READY, generated_at__lt=before)
        | Q(state=State.FAILED, requested_at__lt=before)
    )
    files = list(old.values_list("petition_id", "file_stem"))
    old.delete()
    for petition_id, stem in files:
        packs.remove_files(petition_id, stem)
    return len(files)


def latest_packs(petition: Petition) -> dict[int | None, DeliveryPack]:
    """The newest pack per target id (None: the one for all of them)."""
    latest: dict[int | None, DeliveryPack] = {}
    for pack in DeliveryPack.objects.filter(petition=petition).order_by("-requested_at", "-pk"):
        latest.setdefault(pack.target_id, pack)
    return latest


# Downloads


def log_download(
    petition: Petition, user, kind: str, *, pack: DeliveryPack | None = None,
    rows: int | None = None, now: datetime | None = None,
) -> Download:  # fmt: skip
    who = getattr(user, "email", "") if user is not None else ""
    return Download.objects.create(
        petition=petition, pack=pack, kind=kind, user=user, who=who,
        sha256=pack.sha256(kind) if pack else "", rows=rows,
        downloaded_at=now or timezone.now(),
    )  # fmt: skip


# Paper signatures


@dataclass(frozen=True)
class PaperEntry:
    """What an organizer typed for one paper sheet (cleaned by PaperSheetForm)."""

    country: str
    count: int
    names: str = ""
    note: str = ""


def record_paper_sheet(
    petition: Petition, entry: PaperEntry, user, now: datetime | None = None
) -> PaperSheet:
    now = now or timezone.now()
    with transaction.atomic():
        sheet = PaperSheet.objects.create(
            petition=petition, country=entry.country, count=entry.count, names=entry.names,
            note=entry.note, recorded_by=user, recorded_at=now,
        )  # fmt: skip
        _to_ledger(sheet, CountChange.Kind.PAPER_ADDED, sheet.count, now)
    cache.delete(paper_key(petition.pk))
    return sheet


def change_paper_sheet(
    sheet: PaperSheet, entry: PaperEntry, user, now: datetime | None = None
) -> PaperSheet:
    now = now or timezone.now()
    with transaction.atomic():
        before = PaperSheet.objects.select_for_update().get(pk=sheet.pk).count
        sheet.country, sheet.count, sheet.names, sheet.note = (
            entry.country, entry.count, entry.names, entry.note,
        )  # fmt: skip
        sheet.updated_by, sheet.updated_at = user, now
        sheet.save()
        if sheet.count != before:
            _to_ledger(sheet, CountChange.Kind.PAPER_CHANGED, sheet.count - before, now)
    cache.delete(paper_key(sheet.petition_id))
    return sheet


def delete_paper_sheet(sheet: PaperSheet, now: datetime | None = None) -> None:
    with transaction.atomic():
        locked = PaperSheet.objects.select_for_update().filter(pk=sheet.pk).first()
        if locked is not None:
            _to_ledger(locked, CountChange.Kind.PAPER_REMOVED, -locked.count, now or timezone.now())
            locked.delete()
    cache.delete(paper_key(sheet.petition_id))


def _to_ledger(sheet: PaperSheet, kind: str, delta: int, now: datetime) -> None:
    """Paper signatures are shown beside the count: their changes are in the public
    ledger too (transparency/ledger.py), with the sheet's country and nothing else."""
    criteria = {"paper": True, "country": str(sheet.country)}
    record_change(sheet.petition_id, kind, delta, now, criteria)
