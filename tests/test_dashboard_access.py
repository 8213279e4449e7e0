"""Who may see the dashboard and manage co-organizers: strangers get a 404 (the petition's
dashboard does not exist for them), co-organizers without the right role a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from support import make_petition

from undersigned.accounts.models import User
from undersigned.dashboard.views import SECTIONS
from undersigned.petitions.models import Organizer, Petition


def co_organizer(petition: Petition, email: str, role: str) -> User:
    user = User.objects.create_user(email, name=email.split("@")[0].title())
    Organizer.objects.create(
        petition=petition, email=email, role=role, user=user, accepted_at=timezone.now()
    )
    return user


@pytest.fixture
def editor(petition) -> User:
    return co_organizer(petition, "eda@example.org", Organizer.Role.EDITOR)


@pytest.fixture
def viewer(petition) -> User:
    return co_organizer(petition, "vic@example.org", Organizer.Role.VIEWER)


@pytest.fixture
def stranger(db) -> User:
    return User.objects.create_user("stranger@example.org")


def pages(petition) -> list[str]:
    sections = [name for name, _label in SECTIONS]
    return [reverse(f"dashboard:{name}", args=[petition.pk]) for name in [*sections, "map"]]


def test_it_sends_visitors_who_are_not_signed_in_to_sign_in(client, petition):
    for url in pages(petition):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_it_hides_the_dashboard_from_strangers(client, petition, stranger):
    client.force_login(stranger)
    for url in pages(petition):
        assert client.get(url).status_code == 404
    invite = reverse("dashboard:invite", args=[petition.pk])
    assert client.post(invite, {"email": "x@example.org", "role": "editor"}).status_code == 404


def test_it_shows_the_dashboard_to_every_role_and_to_moderators(
    client, petition, organizer, editor, viewer, moderator
):
    for user in (organizer, editor, viewer, moderator):
        client.force_login(user)
        for url in pages(petition):
            assert client.get(url).status_code == 200, (user, url)


def test_only_the_creator_sees_the_invitation_form(client, petition, organizer, editor):
    url = reverse("dashboard:organizers", args=[petition.pk])
    client.force_login(organizer)
    assert "Send the invitation" in client.get(url).content.decode()
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "Send the invitation" not in page and "eda@example.org" in page


@pytest.mark.parametrize("who", ["editor", "viewer", "moderator"])
def test_only_the_creator_may_invite_change_or_remove(client, petition, who, request, viewer):
    client.force_login(request.getfixturevalue(who))
    row = Organizer.objects.get(email="vic@example.org")
    new = {"email": "n@example.org", "role": "viewer"}
    urls = {
        reverse("dashboard:invite", args=[petition.pk]): new,
        reverse("dashboard:change_role", args=[petition.pk, row.pk]): {"role": "editor"},
        reverse("dashboard:remove", args=[petition.pk, row.pk]): {},
    }  # fmt: skip
    for url, data in urls.items():
        assert client.post(url, data).status_code == 403
    row.refresh_from_db()
    assert row.role == "viewer"
    assert not Organizer.objects.filter(email="n@example.org").exists()


def test_editors_may_edit_and_viewers_may_not(client, organizer, moderator):
    draft = make_petition(organizer, moderator, state=Petition.State.DRAFT)
    editor = co_organizer(draft, "eda@example.org", Organizer.Role.EDITOR)
    viewer = co_organizer(draft, "vic@example.org", Organizer.Role.VIEWER)
    edit = reverse("petitions:edit", args=[draft.pk])
    client.force_login(editor)
    assert client.get(edit).status_code == 200
    client.force_login(viewer)
    assert client.get(edit).status_code == 404
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert draft.title in page and "as a viewer" in page and edit not in page


def test_the_creator_changes_a_role_and_removes_a_co_organizer(client, petition, organizer, viewer):
    row = Organizer.objects.get(user=viewer)
    client.force_login(organizer)
    url = reverse("dashboard:change_role", args=[petition.pk, row.pk])
    assert client.post(url, {"role": "editor"}).status_code == 303
    assert petition.can_edit(viewer)
    refused = client.post(url, {"role": "owner"})
    assert refused.status_code == 400 and "Choose editor or viewer." in refused.content.decode()
    remove = reverse("dashboard:remove", args=[petition.pk, row.pk])
    assert client.post(remove).status_code == 303
    assert client.post(remove).status_code == 404  # gone already
    client.force_login(viewer)
    assert client.get(pages(petition)[0]).status_code == 404


def test_it_does_not_touch_co_organizers_of_another_petition(
    client, petition, organizer, moderator
):
    other = make_petition(User.objects.create_user("o@example.org"), moderator)
    co_organizer(other, "vic@example.org", Organizer.Role.VIEWER)
    row = Organizer.objects.get(petition=other)
    client.force_login(organizer)
    assert client.post(reverse("dashboard:remove", args=[petition.pk, row.pk])).status_code == 404
    assert Organizer.objects.filter(pk=row.pk).exists()


def test_the_demo_adds_a_viewer_and_a_pending_invitation_once(petition):
    from undersigned.dashboard import demo

    demo.populate(petition)
    demo.populate(petition)
    assert petition.organizers.filter(accepted_at__isnull=False).count() == 1
    assert petition.organizers.filter(accepted_at__isnull=True).count() == 1


@pytest.mark.parametrize("state", ["draft", "moderation", "closed"])
def test_the_dashboard_opens_in_every_state(client, organizer, moderator, state):
    petition = make_petition(organizer, moderator, state=state)
    client.force_login(organizer)
    response = client.get(reverse("dashboard:petition", args=[petition.pk]))
    assert response.status_code == 200
    assert "No milestone yet" in response.content.decode()
    for name, _label in SECTIONS:  # and so does every section, whatever the panels show
        assert client.get(reverse(f"dashboard:{name}", args=[petition.pk])).status_code == 200
