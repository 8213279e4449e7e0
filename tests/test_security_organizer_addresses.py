"""The co-organizers page: viewers see who runs a petition by name, never an e-mail
address (the invitation promises them none); the creator and editors see addresses."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_dashboard_access import co_organizer

from undersigned.accounts.models import User
from undersigned.petitions.models import Organizer

ADDRESSES = ["lena@example.org", "eda@example.org", "vic@example.org", "pending@example.org"]


@pytest.fixture
def team(petition) -> dict[str, User]:
    """The creator (Lena), an editor and a viewer who accepted, and a pending invitation;
    one more viewer who never gave a name."""
    people = {
        "creator": petition.creator,
        "editor": co_organizer(petition, "eda@example.org", Organizer.Role.EDITOR),
        "viewer": co_organizer(petition, "vic@example.org", Organizer.Role.VIEWER),
    }
    nameless = co_organizer(petition, "nameless@example.org", Organizer.Role.VIEWER)
    User.objects.filter(pk=nameless.pk).update(name="")
    Organizer.objects.create(petition=petition, email="pending@example.org", role="editor")
    return people


def organizers_page(client, petition, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard:organizers", args=[petition.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_viewer_sees_names_but_no_e_mail_address(client, petition, team):
    page = organizers_page(client, petition, team["viewer"])
    for address in [*ADDRESSES, "nameless@example.org"]:
        assert address not in page
    for part in ["example.org", "mailto:"]:
        assert part not in page
    assert "Lena Aramyan" in page and "Eda" in page and "Vic" in page
    assert "invited co-organizer" in page  # the pending invitation, without its address
    assert "co-organizer without a name" in page  # the viewer who gave no name


@pytest.mark.parametrize("role", ["creator", "editor"])
def test_the_creator_and_editors_still_see_the_addresses(client, petition, team, role):
    page = organizers_page(client, petition, team[role])
    for address in ADDRESSES:
        assert address in page
