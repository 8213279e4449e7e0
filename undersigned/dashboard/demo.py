"""Demo data: a co-organizer who has accepted (a viewer) and one invitation still
pending, so the co-organizers page has something to show. Nobody is e-mailed.

Dated as the story goes: the viewer was invited the day after the petition opened and
accepted an hour later; the pending invitation went out yesterday, so it still works.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from undersigned.accounts.models import User
from undersigned.lib import links
from undersigned.petitions.models import Organizer, Petition

VIEWER = "viewer@example.org"
INVITED = "invited@example.org"


def populate(petition: Petition) -> None:
    """Idempotent: run it as often as you like."""
    now = timezone.now()
    invited = min((petition.opened_at or now) + timedelta(days=1), now - timedelta(hours=2))
    user = User.objects.filter(email=VIEWER).first() or User.objects.create_user(
        VIEWER, name="Vera Viewer", date_joined=invited + timedelta(minutes=50)
    )
    viewer, created = Organizer.objects.get_or_create(
        petition=petition,
        email=VIEWER,
        defaults={
            "role": Organizer.Role.VIEWER,
            "user": user,
            "accepted_at": invited + timedelta(hours=1),
            "invited_by": petition.creator,
        },
    )
    if created:  # invited_at is set on creation: move it back to the story's day
        Organizer.objects.filter(pk=viewer.pk).update(invited_at=invited)
    pending, created = Organizer.objects.get_or_create(
        petition=petition,
        email=INVITED,
        defaults={
            "role": Organizer.Role.EDITOR,
            "invited_by": petition.creator,
            # A secret nobody knows: the demo's invitation link was never sent.
            "token_hash": links.new_secret()[1],
        },
    )
    if created:
        Organizer.objects.filter(pk=pending.pk).update(invited_at=now - timedelta(days=1))
