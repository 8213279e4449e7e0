"""Demo data: a decision maker with an address a moderator approved, and the organizer's
choice to notify.

The worker's clock (`make run`) then e-mails them within a minute; the e-mail, with its
answer link, is in the local outbox at /outbox/.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from undersigned.petitions.models import Petition, Target
from undersigned.responses.actions import set_notify_targets
from undersigned.responses.addresses import decide_address
from undersigned.responses.models import AddressReview, AddressState, address_state

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
    # As if checked by the demo's moderator, so that `make run` shows the whole flow.
    moderator = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    for target in petition.targets.exclude(email=""):
        if address_state(target) == AddressState.UNCHECKED:
            decide_address(target, target.email, AddressReview.Decision.APPROVED, moderator)
    if not petition.notify_targets:
        set_notify_targets(petition, True)
