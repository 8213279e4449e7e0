"""Demo data: a decision maker with an address, and the organizer's choice to notify.

The worker's clock (`make run`) then e-mails them within a minute; the e-mail, with its
answer link, is in the local outbox at /outbox/.
"""

from __future__ import annotations

from undersigned.petitions.models import Petition, Target
from undersigned.responses.actions import set_notify_targets

DEMO_TARGET = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "mayor@example.org"}


def populate(petition: Petition) -> None:
    """Idempotent: run it as often as you like."""
    if not petition.targets.exclude(email="").exists():
        Target.objects.get_or_create(
            petition=petition,
            name=DEMO_TARGET["name"],
            defaults={
                "role": DEMO_TARGET["role"],
                "email": DEMO_TARGET["email"],
                "position": petition.targets.count(),
            },
        )
        petition.targets.filter(name=DEMO_TARGET["name"], email="").update(
            email=DEMO_TARGET["email"]
        )
    if not petition.notify_targets:
        set_notify_targets(petition, True)
