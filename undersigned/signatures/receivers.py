"""What signatures does when the apps below it say something (connected in apps.py)."""

from __future__ import annotations

from undersigned.petitions.models import Petition
from undersigned.signatures.actions import refresh_counts


def petition_state_changed(sender, petition: Petition, previous: str, **kwargs) -> None:
    """A closing petition's stored count (what lists sort by) becomes its final count,
    in the transaction that closes it rather than at the clock's next refresh."""
    if petition.state == Petition.State.CLOSED:
        refresh_counts(petition.pk)
