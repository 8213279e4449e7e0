"""Demo data: one sheet of paper signatures, so the petition page shows "N online · 24 on
paper" and the dashboard's delivery section has paper totals.

The sheet is dated the evening of the first Sunday market after the petition opened, and
every name on it is typed in, so the delivery pack lists as many paper signers as it
counts.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from undersigned.delivery.actions import PaperEntry, record_paper_sheet
from undersigned.delivery.models import PaperSheet
from undersigned.petitions.models import Petition

NAMES = [
    "Արամ Պետրոսյան", "Գայանե Սարգսյան", "Marie Dubois", "Anahit Hakobyan", "Tigran Grigoryan",
    "Lilit Karapetyan", "Davit Martirosyan", "Nare Avetisyan", "Karen Harutyunyan",
    "Armen Vardanyan", "Sona Mkrtchyan", "Hayk Poghosyan", "Ani Gevorgyan", "Narek Sahakyan",
    "Mariam Khachatryan", "Gor Hovhannisyan", "Lusine Margaryan", "Vahe Stepanyan",
    "Elen Ghazaryan", "Aram Manukyan", "Syuzanna Babayan", "Levon Abrahamyan",
    "Tatevik Arakelyan", "Ruben Danielyan",
]  # fmt: skip
NOTE = "Signed at the Sunday book market"


def populate(petition: Petition) -> None:
    """Idempotent: the sheet is recorded once per petition."""
    if PaperSheet.objects.of(petition).filter(note=NOTE).exists():
        return
    entry = PaperEntry(country="AM", count=len(NAMES), names="\n".join(NAMES), note=NOTE)
    record_paper_sheet(petition, entry, petition.creator, _market_evening(petition))


def _market_evening(petition: Petition) -> datetime:
    """18:00 on the first Sunday after the petition opened, if that has come; else now."""
    now = timezone.now()
    if petition.opened_at is None:
        return now
    day = timezone.localdate(petition.opened_at) + timedelta(days=1)
    sunday = day + timedelta(days=(6 - day.weekday()) % 7)
    evening = timezone.make_aware(datetime.combine(sunday, time(18)))
    return evening if evening <= now else now
