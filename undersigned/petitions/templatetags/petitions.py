from html import escape

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.utils.safestring import SafeString, mark_safe

from undersigned.lib.publictime import day_of
from undersigned.petitions.models import Petition
from undersigned.signatures.models import PublicSigner

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


@register.simple_tag
def signer_items(signers: list[PublicSigner]) -> SafeString:
    """The <li> of each recent signer. Written here rather than as a template loop: a
    petition page is rendered on every cache miss, and resolving and escaping five
    variables per signer through the template engine made a petition with signers render
    a fifth slower than an empty one (bench/RESULTS.md). Every value is escaped.

    Each says the UTC day it was confirmed, never the time, and the list is in day then
    name order, not in the order people confirmed: either would line a named signer up
    with their entry in the public log (lib/publictime.py).
    """
    items = []
    for signer, day in sorted(
        ((signer, day_of(signer.confirmed_at)) for signer in signers),
        key=lambda pair: (-pair[1].timestamp(), pair[0].public_name),
    ):
        where = f", {escape(signer.country_name)}" if signer.country_name else ""
        said = f"<blockquote>{escape(signer.comment)}</blockquote>" if signer.comment else ""
        items.append(
            f"<li><strong>{escape(signer.public_name)}</strong>{where}\n"
            f'            <span class="muted"> · <time datetime="{day.date().isoformat()}">'
            f"{escape(str(naturalday(day)))}</time></span>\n"
            f"            {said}</li>"
        )
    return mark_safe("\n          ".join(items))  # noqa: S308 - each value escaped above
