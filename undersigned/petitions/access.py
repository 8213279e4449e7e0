"""Loading a petition for the people who run it.

Someone without the right role gets a 404, as on the public pages for a draft: these
addresses never reveal that a petition exists. Moderators (staff) may act where `staff`
says so.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from undersigned.petitions.models import Organizer, Petition

EDITOR = "editor"  # the creator or an editor
VIEWER = "viewer"  # anyone with a role
CREATOR = Organizer.CREATOR


def load_for_organizer(
    request: HttpRequest, pk: int, *, need: str = EDITOR, staff: bool = True
) -> Petition:
    """The petition if this user has the role `need` (creator, editor or viewer) on it,
    or is staff and `staff` is true; otherwise a 404."""
    petition = get_object_or_404(Petition.objects.select_related("creator"), pk=pk)
    user = request.user
    role = petition.role_of(user)
    allowed = {
        CREATOR: role == CREATOR,
        EDITOR: role in {CREATOR, Organizer.Role.EDITOR},
        VIEWER: bool(role),
    }[need]
    if allowed or (staff and user.is_authenticated and user.is_staff):
        return petition
    raise Http404
