"""Template tags of this app (stubs until it is built: each renders nothing)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def victory_banner(context, petition) -> str:
    return ""


@register.simple_tag(takes_context=True)
def petition_updates(context, petition) -> str:
    return ""


@register.simple_tag(takes_context=True)
def updates_panel(context, petition) -> str:
    return ""
