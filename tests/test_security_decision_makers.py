"""Fake decision-maker responses: an organizer must not be able to type their own address
for "the Mayor", receive the private link and publish a response in the Mayor's name.
Moderators check every address before anything is e-mailed there, and a published
response says from which domain it came and whether the address was checked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import make_petition, signed_in

from undersigned.accounts.models import User
from undersigned.petitions import actions as petition_actions
from undersigned.petitions.models import Organizer, Petition, Target
from undersigned.responses import actions
from undersigned.responses.models import Notification
from undersigned.signatures.models import Signature, normalize_email

pytestmark = pytest.mark.django_db

MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "mayor@riverside.example"}
COUNCIL = {"name": "City Council", "role": "Riverside"}
ANSWER = {
    "responder": "Maria Rossi, Mayor of Riverside",
    "text": "We will restore Sunday hours from March. Thank you all.",
}
CHECKED = "from an address at riverside.example, checked by our moderators."


@pytest.fixture
def opened(organizer, moderator, run_tasks) -> Petition:
    """An open petition whose Mayor, at the approved address, got the opening e-mail."""
    petition = make_petition(organizer, moderator, targets=[MAYOR, COUNCIL], notify_targets=True)
    actions.notify_targets()
    run_tasks()
    mail.outbox.clear()
    return petition


def change_address(user: User, target: Target, email: str):
    url = reverse("responses:target_email", args=[target.petition_id, target.pk])
    return signed_in(user).post(url, {"email": email})


def decide_address(client: Client, target: Target, email: str, decision: str = "approved"):
    url = reverse("moderation:address_decision", args=[target.pk])
    return client.post(url, {"email": email, "decision": decision})


def listed_token(client: Client, petition: Petition) -> str:
    page = client.get(reverse("moderation:review", args=[petition.pk])).content.decode()
    return re.search(r'name="listed" value="([^"]+)"', page).group(1)


def answer_link() -> str:
    match = re.search(r"https?://[^/\s]+(/respond/\S+)", mail.outbox[-1].body)
    assert match
    return match.group(1)


def test_an_address_an_organizer_changes_is_emailed_only_after_a_moderator_approves_it(
    opened, organizer, moderator, run_tasks
):
    mayor = opened.targets.get(name="Maria Rossi")
    change_address(organizer, mayor, "me@organizer.example")
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))
    resend = reverse("responses:resend", args=[opened.pk, mayor.pk])
    assert signed_in(organizer).post(resend).status_code == 303  # "E-mail again"

    for _run in range(2):  # the clock and the worker, twice over: nothing goes out
        actions.notify_targets()
        run_tasks()
    assert mail.outbox == []
    assert not actions.targets_due().filter(pk=mayor.pk).exists()

    staff = signed_in(moderator)
    page = staff.get(reverse("moderation:addresses")).content.decode()
    assert "me@organizer.example" in page and opened.title in page
    assert decide_address(staff, mayor, "me@organizer.example").status_code == 303
    actions.notify_targets()
    run_tasks()
    actions.notify_targets()
    run_tasks()

    assert [m.to for m in mail.outbox] == [["me@organizer.example"]]  # exactly one


def test_a_decision_maker_given_an_address_after_opening_waits_for_the_approval(
    opened, organizer, moderator, run_tasks
):
    council = opened.targets.get(name="City Council")
    change_address(organizer, council, "clerk@riverside.example")
    assert actions.notify_targets() == 0
    run_tasks()
    assert mail.outbox == []

    decide_address(signed_in(moderator), council, "clerk@riverside.example")
    assert actions.notify_targets() == 1
    run_tasks()
    assert [m.to for m in mail.outbox] == [["clerk@riverside.example"]]


def test_approving_a_petition_approves_the_addresses_its_review_page_listed(
    organizer, moderator, run_tasks
):
    petition = make_petition(organizer, targets=[MAYOR], notify_targets=True,
                             state=Petition.State.MODERATION)  # fmt: skip
    staff = signed_in(moderator)
    page = staff.get(reverse("moderation:review", args=[petition.pk])).content.decode()
    assert "mayor@riverside.example" in page
    assert "Approving will e-mail these decision makers at these addresses" in page

    review = reverse("moderation:review", args=[petition.pk])
    staff.post(review, {"decision": "approve", "listed": listed_token(staff, petition)})

    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    assert actions.notify_targets() == 1
    run_tasks()
    assert ["mayor@riverside.example"] in [m.to for m in mail.outbox]
    assert (
        "mayor@riverside.example" not in staff.get(reverse("moderation:addresses")).content.decode()
    )


def test_an_address_changed_after_the_review_page_was_shown_is_not_approved_with_it(
    organizer, moderator, run_tasks
):
    petition = make_petition(organizer, targets=[MAYOR], notify_targets=True,
                             state=Petition.State.MODERATION)  # fmt: skip
    staff = signed_in(moderator)
    token = listed_token(staff, petition)
    petition_actions.save_draft(petition, [{**MAYOR, "email": "me@organizer.example"}])

    staff.post(reverse("moderation:review", args=[petition.pk]), {"decision": "approve",
                                                                   "listed": token})  # fmt: skip

    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    assert actions.notify_targets() == 0
    page = staff.get(reverse("moderation:addresses")).content.decode()
    assert "me@organizer.example" in page  # now in the list of addresses to check


def test_a_forged_list_of_addresses_approves_none(organizer, moderator):
    petition = make_petition(organizer, targets=[MAYOR], notify_targets=True,
                             state=Petition.State.MODERATION)  # fmt: skip
    target = petition.targets.get()
    staff = signed_in(moderator)
    forged = f'[[{target.pk}, "mayor@riverside.example"]]'
    response = staff.post(
        reverse("moderation:review", args=[petition.pk]), {"decision": "approve", "listed": forged}
    )
    assert response.status_code == 303
    assert actions.notify_targets() == 0


def test_a_non_moderator_cannot_approve_an_address(opened, organizer, run_tasks):
    mayor = opened.targets.get(name="Maria Rossi")
    change_address(organizer, mayor, "me@organizer.example")
    editor = User.objects.create_user("eddie@example.org", name="Eddie Editor")
    Organizer.objects.create(
        petition=opened, email=editor.email, user=editor, accepted_at=timezone.now()
    )
    for user in [organizer, editor]:
        client = signed_in(user)
        assert decide_address(client, mayor, "me@organizer.example").status_code == 403
        assert client.get(reverse("moderation:addresses")).status_code == 403
    anonymous = decide_address(Client(), mayor, "me@organizer.example")
    assert anonymous.status_code == 302 and "/staff-sign-in/" in anonymous["Location"]

    actions.notify_targets()
    run_tasks()
    assert mail.outbox == []
    assert not mayor.address_reviews.filter(email="me@organizer.example").exists()


def test_a_rejected_address_is_never_emailed(opened, organizer, moderator, run_tasks):
    mayor = opened.targets.get(name="Maria Rossi")
    change_address(organizer, mayor, "me@organizer.example")
    decide_address(signed_in(moderator), mayor, "me@organizer.example", "rejected")
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))

    response = signed_in(organizer).post(
        reverse("responses:resend", args=[opened.pk, mayor.pk]), follow=True
    )

    assert "did not accept the address" in response.content.decode()
    actions.notify_targets()
    run_tasks()
    assert mail.outbox == []


def test_a_decision_on_an_address_changed_since_the_list_was_shown_decides_nothing(
    opened, organizer, moderator
):
    mayor = opened.targets.get(name="Maria Rossi")
    change_address(organizer, mayor, "first@organizer.example")
    change_address(organizer, mayor, "second@organizer.example")
    response = decide_address(signed_in(moderator), mayor, "first@organizer.example")
    assert response.status_code == 303
    assert not mayor.address_reviews.filter(email="second@organizer.example").exists()
    assert actions.notify_targets() == 0


def test_a_response_states_the_domain_and_that_a_moderator_checked_the_address(
    opened, organizer, moderator, run_tasks
):
    Signature.objects.create(
        petition=opened, name="Signer One", email="signer1@example.org",
        email_normalized=normalize_email("signer1@example.org"), country="AM",
        wants_updates=True, language="en", confirmed_at=timezone.now(),
    )  # fmt: skip
    mayor = opened.targets.get(name="Maria Rossi")
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))
    actions.resend_notification(mayor, organizer)
    run_tasks()
    assert Client().post(answer_link(), ANSWER).status_code == 303
    mail.outbox.clear()
    run_tasks()  # the response, e-mailed to the signer who asked for updates

    # Later edits of the decision maker's address do not rewrite what was said.
    actions.set_target_email(mayor, "me@organizer.example", organizer)
    page = Client().get(opened.get_absolute_url()).content.decode()
    assert f"Answered by Maria Rossi {CHECKED}" in page
    assert "mayor@" not in page and "me@organizer" not in page  # never the address itself
    assert [m.to for m in mail.outbox] == [["signer1@example.org"]]
    assert CHECKED in mail.outbox[0].body
    assert CHECKED in mail.outbox[0].alternatives[0][0]
    api = Client().get(f"/api/v1/petitions/{opened.pk}/updates").json()
    response = next(item for item in api["items"] if item["kind"] == "response")
    assert response["answered_from"] == "riverside.example"
    assert response["address_checked"] is True


def test_a_link_sent_before_addresses_were_checked_cannot_publish(opened, run_tasks):
    actions.notify_targets()
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))
    mayor = opened.targets.get(name="Maria Rossi")
    actions.resend_notification(mayor)
    run_tasks()
    link = answer_link()
    # as every link sent before the check existed
    Notification.objects.update(address_checked=False, sent_to_domain="")

    assert Client().get(link).status_code == 410
    response = Client().post(link, ANSWER)
    assert response.status_code == 410
    assert "Ask for a new link" in response.content.decode()
    assert not opened.updates.exists()


def test_the_moderation_home_links_to_the_addresses_to_check(opened, organizer, moderator):
    change_address(organizer, opened.targets.get(name="City Council"), "clerk@riverside.example")
    page = signed_in(moderator).get(reverse("moderation:queue")).content.decode()
    assert reverse("moderation:addresses") in page
    assert "Decision-maker addresses to check</a> (1)" in page


def test_a_response_published_before_addresses_were_checked_says_so(opened, run_tasks):
    from undersigned.updates.actions import post_update
    from undersigned.updates.models import Update

    mayor = opened.targets.get(name="Maria Rossi")
    post_update(opened, kind=Update.Kind.RESPONSE, title="", responder="Maria Rossi",
                text="An answer from before the check.", target=mayor, email=False)  # fmt: skip
    page = Client().get(opened.get_absolute_url()).content.decode()
    assert "Answered by Maria Rossi; our moderators did not check the address it came" in page
    api = Client().get(f"/api/v1/petitions/{opened.pk}/updates").json()["items"][0]
    assert api["answered_from"] == "" and api["address_checked"] is False
