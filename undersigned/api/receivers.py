"""What the API does when the apps it reads say something (connected in apps.py)."""

from __future__ import annotations

from undersigned.api.webhooks import emit
from undersigned.petitions.models import Petition
from undersigned.signatures.models import CountShard


def petition_state_changed(sender, petition: Petition, previous: str, **kwargs) -> None:
    """Organizers' "closed" webhooks, queued in the closing transaction (emit() commits
    or rolls back with it), with the exact final count."""
    if petition.state == Petition.State.CLOSED:
        count = CountShard.total(petition.pk)
        emit(petition, "closed", {"closed_at": petition.closed_at, "signature_count": count})
