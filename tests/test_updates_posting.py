"""Posting updates, the weekly cap, moderators' approval, victory, pages and permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import make_petition, signed_in
from test_updates_support import add_signers

from undersigned.accounts.models import User
from undersigned.petitions.models import Organizer, Petition
from undersigned.updates import actions
from undersigned.updates.models import Update

pytestmark = pytest.mark.django_db


def post_news(petition, email=True, now=None, **fields):
    return actions.post_update(
        petition, title=fields.get("title", "We met the council"),
        text=fields.get("text", "They **listened**."), email=email, now=now,
    )  # fmt: skip


def form_data(**fields) -> dict:
    data = {"update-title": "We met the council", "update-text": "They *listened*.",
            "update-email": "on", "action": "post"}  # fmt: skip
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_it_posts_an_update_and_emails_the_signers_who_asked(petition, run_tasks):
    add_signers(petition, 3)
    update = post_news(petition)
    assert update.email_state == Update.EmailState.QUEUED and update.email_total == 3
    assert "<strong>listened</strong>" in update.text_html
    run_tasks()
    update.refresh_from_db()
    assert update.email_state == Update.EmailState.SENT and update.emails_sent == 3
    assert len(mail.outbox) == 3


def test_an_update_without_email_sends_nothing(petition, run_tasks):
    add_signers(petition, 2)
    update = post_news(petition, email=False)
    run_tasks()
    assert update.email_state == "" and mail.outbox == []


def test_it_refuses_a_fourth_emailed_news_update_in_a_week(petition, settings):
    settings.UPDATE_EMAILS_PER_WEEK = 3
    now = timezone.now()
    for _ in range(3):
        post_news(petition, now=now - timedelta(days=2))
    assert actions.emails_left(petition, now) == 0
    with pytest.raises(ValidationError) as error:
        post_news(petition, now=now)
    assert "3 updates in the last 7 days" in str(error.value.message_dict["email"])
    post_news(petition, email=False, now=now)  # posting without e-mail still works
    assert actions.emails_left(petition, now + timedelta(days=6)) == 3


def test_victories_and_responses_are_emailed_beyond_the_cap(petition, settings):
    settings.UPDATE_EMAILS_PER_WEEK = 0
    target = petition.targets.first()
    response = actions.post_update(petition, kind=Update.Kind.RESPONSE, title="Our answer",
                                   text="Yes.", target=target, email=True)  # fmt: skip
    assert response.email_state == Update.EmailState.QUEUED
    victory = actions.declare_victory(petition, petition.creator, "Sundays are back.")
    assert victory.email_state == Update.EmailState.QUEUED


def test_a_refused_email_does_not_count_against_the_cap(petition, settings, moderator):
    settings.UPDATE_EMAILS_PER_WEEK, settings.UPDATE_EMAILS_NEED_APPROVAL = 1, True
    update = post_news(petition)
    actions.decide_update_email(update, moderator, approve=False)
    assert actions.emails_left(petition) == 1


def test_the_form_shows_how_many_emails_are_left(petition, organizer, settings):
    settings.UPDATE_EMAILS_PER_WEEK = 3
    add_signers(petition, 2)
    post_news(petition)
    page = signed_in(organizer).get(reverse("dashboard:updates", args=[petition.pk]))
    html = page.content.decode()
    assert "2 of 3 e-mails left this week" in html
    assert "E-mail it to the 2 signers who asked for updates" in html


def test_over_the_cap_the_form_explains_and_keeps_the_text(petition, organizer, settings):
    settings.UPDATE_EMAILS_PER_WEEK = 1
    post_news(petition)
    client = signed_in(organizer)
    response = client.post(reverse("updates:new", args=[petition.pk]), form_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert "Error:" in html and "the most allowed" in html and "They *listened*." in html
    assert petition.updates.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"update-title": ""}, "Enter a title for the update."),
        ({"update-text": "   "}, "Enter the text of the update."),
        ({"update-title": "x" * 151}, "Shorten the title to 150 characters or fewer."),
    ],
)
def test_bad_input_gets_form_errors(petition, organizer, fields, message):
    response = signed_in(organizer).post(
        reverse("updates:new", args=[petition.pk]), form_data(**fields)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not petition.updates.exists()


def test_preview_renders_the_markdown_without_posting(petition, organizer):
    response = signed_in(organizer).post(
        reverse("updates:new", args=[petition.pk]), form_data(action="preview")
    )
    assert response.status_code == 200
    assert "<em>listened</em>" in response.content.decode()
    assert not petition.updates.exists()


def test_posting_redirects_to_the_dashboard_with_the_email_state(petition, organizer):
    add_signers(petition, 2)
    response = signed_in(organizer).post(
        reverse("updates:new", args=[petition.pk]), form_data(), follow=True
    )
    assert "It is being e-mailed to 2 signers." in response.content.decode()
    assert "E-mail queued for 2 signers" in response.content.decode()


def test_updates_cannot_be_posted_before_the_petition_opens(organizer, moderator):
    draft = make_petition(organizer, moderator, state=Petition.State.DRAFT)
    with pytest.raises(ValidationError):
        post_news(draft)
    response = signed_in(organizer).post(reverse("updates:new", args=[draft.pk]), form_data())
    assert response.status_code == 400
    assert "once the petition is open" in response.content.decode()


def test_strangers_and_viewers_get_a_404_and_moderators_cannot_post(petition, moderator):
    stranger = User.objects.create_user("someone@example.org")
    viewer = User.objects.create_user("viewer@example.org")
    Organizer.objects.create(petition=petition, email=viewer.email, user=viewer,
                             role=Organizer.Role.VIEWER, accepted_at=timezone.now())  # fmt: skip
    for user in (stranger, viewer, moderator):
        client = signed_in(user)
        for name in ("updates:new", "updates:victory"):
            assert client.post(reverse(name, args=[petition.pk]), form_data()).status_code == 404
    assert not petition.updates.exists()
    anonymous = Client().post(reverse("updates:new", args=[petition.pk]), form_data())
    assert anonymous.status_code == 302


def test_viewers_see_the_list_but_not_the_forms(petition):
    post_news(petition, email=False, title="A visible update")
    viewer = User.objects.create_user("viewer@example.org")
    Organizer.objects.create(petition=petition, email=viewer.email, user=viewer,
                             role=Organizer.Role.VIEWER, accepted_at=timezone.now())  # fmt: skip
    html = signed_in(viewer).get(reverse("dashboard:updates", args=[petition.pk])).content.decode()
    assert "A visible update" in html
    assert reverse("updates:new", args=[petition.pk]) not in html
    assert reverse("updates:victory", args=[petition.pk]) not in html


def test_an_editor_can_post(petition):
    editor = User.objects.create_user("editor@example.org")
    Organizer.objects.create(petition=petition, email=editor.email, user=editor,
                             role=Organizer.Role.EDITOR, accepted_at=timezone.now())  # fmt: skip
    response = signed_in(editor).post(reverse("updates:new", args=[petition.pk]), form_data())
    assert response.status_code == 303
    assert petition.updates.get().author == editor


def test_with_approval_on_the_update_shows_at_once_and_the_email_waits(
    petition, settings, moderator, run_tasks
):
    settings.UPDATE_EMAILS_NEED_APPROVAL = True
    add_signers(petition, 2)
    update = post_news(petition, title="Awaiting approval")
    run_tasks()
    assert update.email_state == Update.EmailState.APPROVAL and mail.outbox == []
    assert "Awaiting approval" in Client().get(petition.get_absolute_url()).content.decode()
    staff = signed_in(moderator)
    assert "Awaiting approval" in staff.get(reverse("updates:approval_queue")).content.decode()
    response = staff.post(reverse("updates:decide", args=[update.pk]), {"decision": "approve"})
    assert response.status_code == 303
    run_tasks()
    assert len(mail.outbox) == 2
    again = staff.post(reverse("updates:decide", args=[update.pk]), {"decision": "refuse"})
    assert again.status_code == 409


def test_a_refused_email_is_never_sent_but_the_update_stays(
    petition, settings, moderator, run_tasks
):
    settings.UPDATE_EMAILS_NEED_APPROVAL = True
    add_signers(petition, 2)
    update = post_news(petition)
    signed_in(moderator).post(reverse("updates:decide", args=[update.pk]), {"decision": "refuse"})
    run_tasks()
    update.refresh_from_db()
    assert update.email_state == Update.EmailState.REFUSED and mail.outbox == []
    assert petition.updates.count() == 1


def test_only_moderators_see_the_approval_queue(petition, organizer):
    assert signed_in(organizer).get(reverse("updates:approval_queue")).status_code == 403
    update = post_news(petition)
    decided = signed_in(organizer).post(
        reverse("updates:decide", args=[update.pk]), {"decision": "approve"}
    )
    assert decided.status_code == 403


def test_a_bad_decision_is_a_400(petition, moderator, settings):
    settings.UPDATE_EMAILS_NEED_APPROVAL = True
    update = post_news(petition)
    response = signed_in(moderator).post(
        reverse("updates:decide", args=[update.pk]), {"decision": "x"}
    )
    assert response.status_code == 400


def test_declaring_victory_closes_the_petition_and_emails_signers(petition, organizer, run_tasks):
    add_signers(petition, 2)
    response = signed_in(organizer).post(
        reverse("updates:victory", args=[petition.pk]),
        {
            "victory-note": "The council restored Sunday hours.",
            "victory-email": "on",
            "victory-sure": "on",
        },
    )
    assert response.status_code == 303
    petition.refresh_from_db()
    assert petition.state == Petition.State.CLOSED and petition.is_won
    assert petition.victory_note == "The council restored Sunday hours."
    victory = petition.updates.get(kind=Update.Kind.VICTORY)
    run_tasks()
    signer_mails = [m for m in mail.outbox if m.to[0].startswith("signer")]
    assert len(signer_mails) == 2
    assert signer_mails[0].subject.startswith("Victory:")
    assert "The council restored Sunday hours." in signer_mails[0].body
    victory.refresh_from_db()
    assert victory.email_state == Update.EmailState.SENT


def test_the_won_page_shows_the_banner_tag_and_timeline(petition, organizer):
    actions.declare_victory(petition, organizer, "Sundays are back.", email=False)
    html = Client().get(petition.get_absolute_url()).content.decode()
    assert "Won petition" in html and "state-won" in html
    assert "Victory declared on" in html and "Sundays are back." in html
    assert "The petition opened for signatures." in html
    assert "sign-form" not in html or 'id="sign"' not in html


def test_victory_needs_a_note_and_happens_once(petition, organizer):
    client = signed_in(organizer)
    url = reverse("updates:victory", args=[petition.pk])
    empty = client.post(url, {"victory-note": "  "})
    assert empty.status_code == 400 and "Say in a few words" in empty.content.decode()
    unsure = client.post(url, {"victory-note": "Done."})
    assert unsure.status_code == 400 and "Tick the box to confirm" in unsure.content.decode()
    assert client.post(url, {"victory-note": "Done.", "victory-sure": "on"}).status_code == 303
    again = client.post(url, {"victory-note": "Done again.", "victory-sure": "on"})
    assert again.status_code == 400 and "already been declared won" in again.content.decode()


def test_a_closed_petition_can_still_be_declared_won(organizer, moderator):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    actions.declare_victory(closed, organizer, "We won after all.", email=False)
    closed.refresh_from_db()
    assert closed.is_won and closed.state == Petition.State.CLOSED


def test_the_timeline_is_newest_first_and_names_the_decision_maker(petition):
    now = timezone.now()
    target = petition.targets.first()
    post_news(petition, email=False, title="First news", now=now)
    Update.objects.filter(title="First news").update(created_at=now - timedelta(days=2))
    Petition.objects.filter(pk=petition.pk).update(opened_at=now - timedelta(days=5))
    actions.post_update(petition, kind=Update.Kind.RESPONSE, title="Our answer",
                        text="We will consider it.", target=target)  # fmt: skip
    html = Client().get(petition.get_absolute_url()).content.decode()
    html = html[html.index('id="timeline-heading"') :]
    assert html.index("Our answer") < html.index("First news") < html.index("opened for signatures")
    assert "Response from City Council" in html


def test_the_cap_line_reads_well_with_one_left(petition, settings):
    settings.UPDATE_EMAILS_PER_WEEK = 3
    post_news(petition)
    post_news(petition)
    assert actions.cap_message(actions.emails_left(petition)) == "1 of 3 e-mails left this week."


def test_the_post_page_shows_the_form_on_its_own(petition, organizer):
    response = signed_in(organizer).get(reverse("updates:new", args=[petition.pk]))
    assert response.status_code == 200
    assert "Post the update" in response.content.decode()


def test_the_moderation_queue_links_to_the_updates_awaiting_approval(moderator):
    html = signed_in(moderator).get(reverse("moderation:queue")).content.decode()
    assert reverse("updates:approval_queue") in html
