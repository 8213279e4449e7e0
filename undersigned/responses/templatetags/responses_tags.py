"""Template tags of this app (stubs until it is built: each renders nothing)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def decision_makers(context, petition) -> str:
    return ""


@register.simple_tag(takes_context=True)
def responses_panel(context, petition) -> str:
    return ""
