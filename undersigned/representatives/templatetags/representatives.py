"""The representatives' parts of a petition page: the "To" line and the positions block.
Petition templates load these at run time (`{% load representatives %}`), so no lower
app imports this one."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from undersigned.regions.lookups import regions_of
from undersigned.representatives.models import PUBLIC_STATES, PositionRequest, Representative

register = template.Library()


def _has_representatives(petition) -> bool:
    scheme = getattr(petition, "region_scheme", "")
    return bool(scheme) and Representative.objects.filter(region_scheme=scheme).exists()


@register.simple_tag
def to_representatives(petition) -> str:
    """ "the representatives of the signers' regions" when the petition is addressed to
    them (a region scheme that has representatives), else ""."""
    if not _has_representatives(petition):
        return ""
    return _("the representatives of the signers’ regions")


@register.filter
def days_waiting(request: PositionRequest, now) -> int:
    return request.days_waiting(now)


def summary(figures: dict[str, int]) -> str:
    """ "3 of 12 representatives have answered: 2 agree, 1 undecided"."""
    asked, answered = figures["asked"], figures["answered"]
    if not answered:
        return ngettext(
            "We asked %(asked)s representative for a position; none has answered yet.",
            "We asked %(asked)s representatives for a position; none has answered yet.",
            asked,
        ) % {"asked": asked}
    head = ngettext(
        "%(answered)s of %(asked)s representatives has answered",
        "%(answered)s of %(asked)s representatives have answered",
        answered,
    ) % {"answered": answered, "asked": asked}
    words = {
        "agree": lambda n: ngettext("%(n)s agrees", "%(n)s agree", n),
        "disagree": lambda n: ngettext("%(n)s disagrees", "%(n)s disagree", n),
        "undecided": lambda n: ngettext("%(n)s undecided", "%(n)s undecided", n),
    }
    parts = [words[k](figures[k]) % {"n": figures[k]} for k in words if figures[k]]
    return _("%(summary)s: %(positions)s.") % {"summary": head, "positions": ", ".join(parts)}


@register.inclusion_tag("representatives/_petition.html")
def representatives_positions(petition) -> dict:
    """Who was asked, who answered what, who is still waiting. Never an address."""
    shown = petition.state in PUBLIC_STATES and _has_representatives(petition)
    if not shown:
        return {"shown": False}
    asked = PositionRequest.objects.public().filter(petition=petition)
    requests = list(asked.select_related("representative"))
    names = regions_of(petition.region_scheme)
    for r in requests:
        region = names.get(r.region_code)
        r.region_name = region.name if region else r.region_code
    figures = asked.summary()
    return {
        "shown": True,
        "petition": petition,
        "summary": summary(figures) if figures["asked"] else "",
        "answered": [r for r in requests if r.answered_at],
        "waiting": sorted((r for r in requests if not r.answered_at), key=lambda r: r.asked_at),
        "now": timezone.now(),
    }
