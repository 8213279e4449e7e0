"""The decision-maker block on the petition page and the panel on the dashboard."""

from __future__ import annotations

from django import template
from django.conf import settings

from undersigned.responses.actions import ANSWERABLE
from undersigned.responses.models import answer_origin, decision_makers_of

register = template.Library()


@register.inclusion_tag("responses/_decision_makers.html", takes_context=True)
def decision_makers(context, petition) -> dict:
    """Who the petition is addressed to, when we e-mailed them, and what they answered.
    Never their address."""
    shown = petition.state in ANSWERABLE
    return {
        "petition": petition,
        "shown": shown,
        "people": decision_makers_of(petition) if shown else [],
        "thresholds": settings.TARGET_THRESHOLDS,
        "count": context.get("count", petition.signature_count),
    }


@register.inclusion_tag("responses/_panel.html", takes_context=True)
def responses_panel(context, petition) -> dict:
    request = context["request"]
    return {
        "petition": petition,
        "people": decision_makers_of(petition, queued=True),
        "can_act": petition.can_edit(request.user),
        "can_notify": petition.state in ANSWERABLE,
        "thresholds": settings.TARGET_THRESHOLDS,
        "count": context.get("count", petition.signature_count),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("responses/_origin.html")
def response_origin(update) -> dict:
    """Under a published response: who answered, from which domain their private link
    was e-mailed to, and whether a moderator had checked that address. Never the address
    itself."""
    origin = answer_origin(update)
    name = update.target.name if update.target_id else update.responder
    return {"update": update, "name": name, **origin}


@register.filter
def masked(address: str) -> str:
    """ "maria.rossi@example.org" as "m•••@example.org": enough to tell which address
    is on file, not enough to copy it."""
    local, at, domain = (address or "").partition("@")
    if not at:
        return ""
    return f"{local[:1]}•••@{domain}"
