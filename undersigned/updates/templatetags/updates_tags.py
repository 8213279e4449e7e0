"""The victory banner and the timeline on the petition page, the panel on the dashboard."""

from __future__ import annotations

from django import template

from undersigned.petitions.models import Petition
from undersigned.updates import actions
from undersigned.updates.forms import UpdateForm, VictoryForm
from undersigned.updates.models import Update

register = template.Library()


@register.inclusion_tag("updates/_victory_banner.html", takes_context=True)
def victory_banner(context, petition: Petition) -> dict:
    return {"petition": petition}


@register.inclusion_tag("updates/_timeline.html", takes_context=True)
def petition_updates(context, petition: Petition) -> dict:
    """Updates, the victory, responses and the petition's own dates, newest first."""
    if petition.state not in actions.POSTABLE_STATES:  # not on rejected or unpublished pages
        return {"events": []}
    events = [
        {"kind": update.kind, "at": update.created_at, "update": update}
        for update in petition.updates.select_related("target")
    ]
    if petition.opened_at:
        events.append({"kind": "opened", "at": petition.opened_at})
    if petition.closed_at and petition.state == Petition.State.CLOSED:
        events.append({"kind": "closed", "at": petition.closed_at})
    # A tie (victory and closing in one request) shows the victory first.
    order = {"closed": 0, "opened": 0}
    events.sort(key=lambda e: (e["at"], order.get(e["kind"], 1)), reverse=True)
    return {"events": events, "petition": petition}


@register.inclusion_tag("updates/_panel.html", takes_context=True)
def updates_panel(context, petition: Petition) -> dict:
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    can_edit = petition.can_edit(user)
    postable = petition.state in actions.POSTABLE_STATES
    result = {
        "petition": petition,
        "updates": petition.updates.all()[:50],
        "can_edit": can_edit,
        "postable": postable,
        "csrf_token": context.get("csrf_token"),
    }
    if can_edit and postable:
        count = actions.recipients(petition).count()
        result["form"] = UpdateForm(recipients=count, left=actions.emails_left(petition))
        if not petition.is_won:
            result["victory_form"] = VictoryForm(recipients=count)
    return result


@register.inclusion_tag("updates/_email_state.html")
def email_state(update: Update) -> dict:
    return {"update": update}


@register.inclusion_tag("updates/_outcomes.html")
def recent_outcomes(limit: int = 4) -> dict:
    """The home page's "recent wins and responses": what petitions here have achieved."""
    outcomes = (
        Update.objects.filter(
            kind__in=[Update.Kind.VICTORY, Update.Kind.RESPONSE],
            petition__state__in=actions.POSTABLE_STATES,
        )
        .select_related("petition", "target")
        .order_by("-created_at", "-pk")[:limit]
    )
    return {"outcomes": outcomes}
