from django import template

from undersigned.petitions.models import Petition

register = template.Library()


@register.simple_tag(takes_context=True)
def role_on(context, petition: Petition) -> str:
    """The signed-in user's role on the petition ("creator", "editor", "viewer" or "")."""
    return petition.role_of(context["request"].user)
