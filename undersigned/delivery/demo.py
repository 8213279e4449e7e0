"""Demo data: one sheet of paper signatures, so the petition page shows
"N online · 120 on paper" and the dashboard's delivery panel has paper totals."""

from __future__ import annotations

from undersigned.delivery.actions import PaperEntry, record_paper_sheet
from undersigned.delivery.models import PaperSheet
from undersigned.petitions.models import Petition

DEMO_SHEET = PaperEntry(
    country="AM",
    count=120,
    names="Արամ Պետրոսյան\nԳայանե Սարգսյան\nMarie Dubois",
    note="Signed at the Sunday book market",
)


def populate(petition: Petition) -> None:
    """Idempotent: the sheet is recorded once per petition."""
    if PaperSheet.objects.of(petition).filter(note=DEMO_SHEET.note).exists():
        return
    record_paper_sheet(petition, DEMO_SHEET, petition.creator)
