"""What the decision-maker tests share: two targets (one with an address), a way to set
a petition's count, and a moderator's approval of an address."""

from __future__ import annotations

from django.core.cache import cache

from undersigned.petitions.models import Petition, Target
from undersigned.responses.addresses import decide_address
from undersigned.responses.models import AddressReview
from undersigned.signatures.actions import refresh_counts
from undersigned.signatures.models import CountShard

MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "maria@example.org"}
COUNCIL = {"name": "City Council", "role": "Riverside"}  # no address


def set_count(petition: Petition, count: int) -> None:
    CountShard.objects.filter(petition=petition).delete()
    CountShard.objects.create(petition=petition, shard=0, count=count)
    cache.clear()
    refresh_counts()


def approve_address(target: Target, moderator) -> bool:
    """A moderator approves the address now on file, as from the moderation list."""
    target.refresh_from_db()
    return decide_address(target, target.email, AddressReview.Decision.APPROVED, moderator)
