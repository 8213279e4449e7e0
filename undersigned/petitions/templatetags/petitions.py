"""The petition's own parts of its pages: the count against its goal, its state, who
started it. The signers' parts (the count itself, the sign form, recent signers) are
signatures' tags."""

from django import template
from django.utils.translation import gettext as _

from undersigned.petitions.models import Petition

register = template.Library()

# A petition not open yet shows the block as it will look when it opens (the author's
# preview, the draft's page): an invitation to sign, and the goal.
INVITING = {Petition.State.OPEN, Petition.State.DRAFT, Petition.State.MODERATION}


@register.inclusion_tag("petitions/_count.html")
def count_block(petition: Petition, count: int, big: bool = True) -> dict:
    goal = petition.goal_for(count)
    return {
        "petition": petition,
        "count": count,
        "goal_count": goal,
        "remaining": goal - count,
        "inviting": petition.state in INVITING,
        # Only an open petition's count moves: petition.js fetches the block again.
        "live": petition.state == Petition.State.OPEN and petition.pk is not None,
        # An empty bar reads as "nothing happening"; show a sliver from the first signature.
        "bar_value": max(count, goal // 100) if count else 0,
        "big": big,
    }


@register.simple_tag
def started_by(name: str, organisation: str = "") -> str:
    """ "Started by …": the organizer's name, and the organisation they act for."""
    if name and organisation:
        return _("Started by %(name)s (%(organisation)s)") % {
            "name": name,
            "organisation": organisation,
        }
    return _("Started by %(name)s") % {"name": name or organisation or _("an organizer")}


@register.inclusion_tag("petitions/_state_tag.html")
def state_tag(petition: Petition) -> dict:
    return {"petition": petition}
