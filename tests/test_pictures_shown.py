"""A petition's picture (issue #24), once made: only editors change it, a public
petition's new picture waits for a moderator, removal deletes the files, and the page, the
embed and the share card show it. Making it from an upload: test_pictures.py."""

# The fixtures draft, editor_client and media (autouse) come from test_pictures.py, so
# their names stand as both an import and a test's parameter.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from support import make_petition, run_queued_tasks, signed_in
from test_pictures import (  # noqa: F401 (draft, editor_client and media are fixtures)
    ALT,
    draft,
    editor_client,
    encode,
    media,
    page_of,
    photo,
    post_picture,
    refused,
    stored,
)

from undersigned.accounts.models import User
from undersigned.petitions.models import Organizer, Petition
from undersigned.sharing import links
from undersigned.sharing.models import Picture


def test_only_people_who_may_edit_the_petition_change_its_picture(
    organizer, draft, moderator, media
):
    data = encode(photo((800, 600)), "JPEG")
    viewer = User.objects.create_user("viewer@example.org")
    editor = User.objects.create_user("editor@example.org")
    for user, role in ((viewer, "viewer"), (editor, "editor")):
        Organizer.objects.create(
            petition=draft, email=user.email, user=user, role=role, accepted_at=timezone.now()
        )
    stranger = User.objects.create_user("stranger@example.org")

    anonymous = Client().post(f"/petitions/{draft.pk}/picture", {"alt": ALT})
    assert anonymous.status_code == 302 and "sign-in" in anonymous["Location"]
    for user in (viewer, stranger, moderator):
        client = signed_in(user)
        assert client.get(f"/petitions/{draft.pk}/picture").status_code == 404
        assert post_picture(client, draft, data).status_code == 404
    assert not Picture.objects.exists() and stored(media) == []

    assert post_picture(signed_in(editor), draft, data).status_code == 303
    assert Picture.objects.get().uploaded_by == editor
    assert signed_in(viewer).post(f"/petitions/{draft.pk}/picture/remove").status_code == 404
    assert Picture.objects.exists()


def test_removing_the_picture_deletes_its_files(
    editor_client, draft, media, django_capture_on_commit_callbacks
):
    post_picture(editor_client, draft, encode(photo((1200, 800)), "JPEG"))
    picture = Picture.objects.get()
    url = picture.url(480, "webp")
    assert editor_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/petitions/{draft.pk}/picture/remove")
    assert response.status_code == 303
    assert not Picture.objects.exists()
    assert stored(media) == []
    assert Client().get(url).status_code == 404
    assert "<picture>" not in page_of(editor_client, draft)


def test_a_new_picture_replaces_a_drafts_picture_and_its_files(
    editor_client, draft, media, django_capture_on_commit_callbacks
):
    post_picture(editor_client, draft, encode(photo((1200, 800)), "JPEG"))
    first = Picture.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        post_picture(editor_client, draft, encode(photo((700, 500)), "JPEG"), alt="A new one")
    second = Picture.objects.get()
    assert second.key != first.key and second.alt == "A new one"
    assert {p.name for p in stored(media)} == {Path(name).name for name in second.file_names()}


# Moderation ------------------------------------------------------------------------------


def test_a_public_petitions_new_picture_waits_for_a_moderator(
    organizer, petition, moderator, media, django_capture_on_commit_callbacks
):
    client = signed_in(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        post_picture(client, petition, encode(photo((1200, 800)), "JPEG"), alt="The old one")
    waiting = Picture.objects.get()
    assert waiting.status == Picture.Status.PENDING
    assert "<picture>" not in page_of(Client(), petition)
    staff = signed_in(moderator)
    front = staff.get("/moderation/").content.decode()
    assert "New pictures of public petitions to review</a> (1)" in front
    queue = staff.get("/moderation/pictures").content.decode()
    assert "The old one" in queue and waiting.url(480, "webp") in queue

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/moderation/pictures/{waiting.pk}", {"decision": "approve"})
    shown = Picture.objects.get()
    assert (shown.status, shown.reviewed_by) == (Picture.Status.SHOWN, moderator)
    run_queued_tasks()
    told = mail.outbox[-1]
    assert told.to == [organizer.email]
    assert told.subject == f"Your new picture is on the petition: {petition.title}"
    assert f"/petitions/{petition.pk}/picture" in told.body
    assert 'alt="The old one"' in page_of(Client(), petition)

    with django_capture_on_commit_callbacks(execute=True):
        post_picture(client, petition, encode(photo((900, 600)), "JPEG"), alt="Offensive")
    new = Picture.objects.get(status=Picture.Status.PENDING)
    assert 'alt="The old one"' in page_of(Client(), petition)  # the approved one stays
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/moderation/pictures/{new.pk}", {"decision": "refuse"})
    assert list(Picture.objects.all()) == [shown]
    run_queued_tasks()
    assert mail.outbox[-1].subject == f"Your new picture was not approved: {petition.title}"
    assert len(mail.outbox) == 2
    assert {p.name for p in stored(media)} == {Path(n).name for n in shown.file_names()}

    # Deciding again changes nothing; organizers cannot decide.
    assert staff.post(f"/moderation/pictures/{new.pk}", {"decision": "approve"}).status_code == 303
    refusal = client.post(f"/moderation/pictures/{shown.pk}", {"decision": "refuse"})
    assert refusal.status_code == 403


def test_a_rejected_petitions_picture_cannot_be_changed(organizer, moderator, media):
    petition = make_petition(organizer, moderator, state=Petition.State.MODERATION)
    petition.state = Petition.State.REJECTED
    petition.save()
    response = post_picture(signed_in(organizer), petition, encode(photo((800, 600)), "JPEG"))
    refused(response, "cannot be changed")
    assert stored(media) == []


def test_the_review_page_shows_the_picture_and_lets_a_moderator_remove_it(
    organizer, moderator, media, django_capture_on_commit_callbacks
):
    petition = make_petition(organizer, moderator, state=Petition.State.MODERATION)
    post_picture(signed_in(organizer), petition, encode(photo((800, 600)), "JPEG"))
    picture = Picture.objects.get()
    assert picture.status == Picture.Status.SHOWN
    staff = signed_in(moderator)
    review = staff.get(f"/moderation/{petition.pk}").content.decode()
    assert f'alt="{ALT}"' in review and picture.url(480, "webp") in review
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/petitions/{petition.pk}/picture/remove")
    assert response.status_code == 303 and response["Location"] == f"/moderation/{petition.pk}"
    assert not Picture.objects.exists() and stored(media) == []


# Where it is shown -----------------------------------------------------------------------


@pytest.fixture
def pictured(organizer, moderator) -> tuple[Petition, Picture]:
    """An open petition whose picture was put up while it was a draft."""
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    post_picture(signed_in(organizer), draft, encode(photo((2400, 1600)), "JPEG"))
    from undersigned.petitions import actions as petition_actions

    petition_actions.submit_petition(draft)
    petition_actions.approve_petition(Petition.objects.get(pk=draft.pk), moderator)
    return Petition.objects.get(pk=draft.pk), Picture.objects.get()


def test_the_petition_page_shows_the_picture_with_srcset_sizes_and_alt(pictured):
    petition, picture = pictured
    html = page_of(Client(), petition)
    assert '<source type="image/webp"' in html
    assert picture.srcset("webp") in html and picture.srcset("jpg") in html
    assert f"{picture.url(1600, 'webp')} 1600w" in html
    assert 'sizes="(min-width: 960px) 928px, calc(100vw - 32px)"' in html
    assert f'alt="{ALT}"' in html and 'width="1600" height="1067"' in html


def test_the_embed_shows_the_picture(pictured):
    petition, picture = pictured
    html = Client().get(f"/petitions/{petition.pk}/embed").content.decode()
    assert picture.srcset("webp") in html and f'alt="{ALT}"' in html
    assert 'loading="lazy"' in html


def test_the_widgets_iframe_snippet_makes_room_for_the_picture(pictured, petition):
    with_picture, _picture = pictured
    assert 'height="340"' in links.iframe_snippet(petition)
    # 448 × 1067 / 1600 = 299 pixels, cut to the 224 the embed shows, and 8 of margin
    assert 'height="572"' in links.iframe_snippet(with_picture)
    assert 'height="1682"' in links.iframe_snippet(with_picture, with_form=True)


def test_the_share_card_is_the_picture(pictured, settings):
    petition, picture = pictured
    html = page_of(Client(), petition)
    og = f'<meta property="og:image" content="{settings.SITE_URL}{picture.url(1600, "jpg")}">'
    assert og in html
    assert '<meta property="og:image:type" content="image/jpeg">' in html
    assert f'<meta property="og:image:alt" content="{ALT}">' in html


def test_a_petition_without_a_picture_keeps_the_drawn_share_card(petition):
    html = page_of(Client(), petition)
    assert "<picture>" not in html
    assert '<meta property="og:image:type" content="image/png">' in html


def test_the_files_are_served_immutable_with_their_type_and_nosniff(pictured, media):
    _petition, picture = pictured
    for extension, content_type in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        response = Client().get(picture.url(960, extension))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Cookie" not in response.get("Vary", "") and not response.cookies  # cacheable
        body = b"".join(response.streaming_content)
        assert body == (media / picture.file_name(960, extension)).read_bytes()
    missing = f"/pictures/{picture.petition_id}/{picture.key}-123.webp"
    assert Client().get(missing).status_code == 404
    assert Client().get(f"/pictures/{picture.petition_id}/..%2fsecret-1.jpg").status_code == 404
