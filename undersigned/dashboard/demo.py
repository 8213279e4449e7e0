"""Demo data: a co-organizer who has accepted (a viewer) and one invitation still
pending, so the co-organizers page has something to show. Nobody is e-mailed."""

from __future__ import annotations

from django.utils import timezone

from undersigned.accounts.models import User
from undersigned.lib import links
from undersigned.petitions.models import Organizer, Petition

VIEWER = "viewer@example.org"
INVITED = "invited@example.org"


def populate(petition: Petition) -> None:
    """Idempotent: run it as often as you like."""
    user = User.objects.filter(email=VIEWER).first() or User.objects.create_user(
        VIEWER, name="Vera Viewer"
    )
    Organizer.objects.get_or_create(
        petition=petition,
        email=VIEWER,
        defaults={
            "role": Organizer.Role.VIEWER,
            "user": user,
            "accepted_at": timezone.now(),
            "invited_by": petition.creator,
        },
    )
    Organizer.objects.get_or_create(
        petition=petition,
        email=INVITED,
        defaults={
            "role": Organizer.Role.EDITOR,
            "invited_by": petition.creator,
            # A secret nobody knows: the demo's invitation link was never sent.
            "token_hash": links.new_secret()[1],
        },
    )
