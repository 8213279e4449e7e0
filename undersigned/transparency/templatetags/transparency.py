"""{% log_badge petition count %} for the petition page.

Receipts are not drawn on any page: a held signature's pages must look like a counted
one's, and it has no receipt (docs/transparency.md). They go by e-mail (signatures/letters.py).
"""

from __future__ import annotations

from django import template

from undersigned.petitions.models import Petition
from undersigned.transparency.models import Checkpoint

register = template.Library()


@register.inclusion_tag("transparency/_badge.html")
def log_badge(petition: Petition, count: int | None = None) -> dict:
    """A line that links to the log, with its latest signed count when one exists."""
    checkpoint = (
        Checkpoint.objects.filter(petition=petition)
        .order_by("-tree_size")
        .only("count", "created_at")
        .first()
    )
    return {
        "petition": petition,
        "checkpoint": checkpoint,
        "matches": checkpoint is not None and checkpoint.count == count,
    }
