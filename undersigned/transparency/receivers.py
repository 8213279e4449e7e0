"""What the log does when the apps below it say something (connected in apps.py).

Signatures' changes to the count are not among them: signatures calls actions.py itself,
inside the transaction that moves the count."""

from __future__ import annotations

from undersigned.petitions.models import Petition
from undersigned.transparency.tasks import publish_checkpoint


def petition_state_changed(sender, petition: Petition, previous: str, **kwargs) -> None:
    """A closed petition's final count is signed at once, not at the clock's next turn;
    the task is queued in the closing transaction, so it runs only if the close commits."""
    if petition.state == Petition.State.CLOSED:
        publish_checkpoint.enqueue(petition.pk)
