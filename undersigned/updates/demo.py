"""Demo data: one update from the organizers, shown on the demo petition's page.

It is not e-mailed: the demo's signers never asked for updates by e-mail from `make run`.
"""

from __future__ import annotations

from undersigned.petitions.models import Petition
from undersigned.updates.actions import POSTABLE_STATES, post_update

DEMO_TITLE = "We handed in the first 1,000 signatures"


def populate(petition: Petition) -> None:
    """Idempotent: run it as often as you like."""
    if petition.state not in POSTABLE_STATES or petition.updates.filter(title=DEMO_TITLE).exists():
        return
    post_update(
        petition,
        title=DEMO_TITLE,
        text=(
            "Thank you all! We met the council's culture committee on Tuesday and left them "
            "a printed copy.\n\nThey will **discuss Sunday hours** at their next meeting. "
            "Keep sharing the petition: every signature counts."
        ),
        author=petition.creator,
    )
