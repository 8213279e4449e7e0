"""The petition's own parts of its pages: the count against its goal, its state. The
signers' parts (the count itself, the sign form, recent signers) are signatures' tags."""

from django import template

from undersigned.petitions.models import Petition

register = template.Library()


@register.inclusion_tag("petitions/_count.html")
def count_block(petition: Petition, count: int, big: bool = True) -> dict:
    goal = petition.goal_for(count)
    return {
        "petition": petition,
        "count": count,
        "goal": goal,
        "remaining": goal - count,
        # An empty bar reads as "nothing happening"; show a sliver from the first signature.
        "bar_value": max(count, goal // 100) if count else 0,
        "big": big,
    }


@register.inclusion_tag("petitions/_state_tag.html")
def state_tag(petition: Petition) -> dict:
    return {"petition": petition}
