"""A decision maker's answer is titled "Response from <responder>" in the reader's
language, whatever language was active when it was published: on the petition page, in
each signer's e-mail, on the dashboard and in the moderators' queue. The API gives it in
the petition's language, like the petition's own fields."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import make_petition

from undersigned.petitions.models import Petition
from undersigned.responses import actions
from undersigned.signatures.models import Signature, normalize_email
from undersigned.updates import actions as update_actions
from undersigned.updates.models import Update

pytestmark = pytest.mark.django_db

MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "maria.rossi@example.org"}
RESPONDER = "Maria Rossi, Mayor of Riverside"
ANSWER = {"responder": RESPONDER, "text": "We will restore Sunday hours from March."}
IN_ENGLISH = f"Response from {RESPONDER}"
IN_FRENCH = f"Réponse de {RESPONDER}"


@pytest.fixture
def addressed(organizer, moderator) -> Petition:
    return make_petition(organizer, moderator, targets=[MAYOR], notify_targets=True)


def add_signer(petition: Petition, email: str, language: str) -> Signature:
    return Signature.objects.create(
        petition=petition, name="Camille Martin", email=email,
        email_normalized=normalize_email(email), country="FR", wants_updates=True,
        language=language, confirmed_at=timezone.now(),
    )  # fmt: skip


def answer_in_english(petition: Petition, run_tasks) -> Update:
    """The decision maker follows the e-mailed link and publishes, reading in English."""
    actions.notify_targets()
    run_tasks()
    link = re.search(r"https?://[^/\s]+(/respond/\S+)", mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    response = Client().post(link, ANSWER, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 303
    return Update.objects.get(kind=Update.Kind.RESPONSE)


def test_a_response_published_in_english_is_titled_in_french_on_the_french_page(
    addressed, run_tasks
):
    update = answer_in_english(addressed, run_tasks)
    assert update.title == "" and update.responder == RESPONDER  # nothing stored in English

    french = Client().get(addressed.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")
    html = french.content.decode()
    assert f'<h3 id="update-{update.pk}-title">{IN_FRENCH}</h3>' in html  # the timeline
    assert f"· {IN_FRENCH}</p>" in html  # the decision makers' block
    assert IN_ENGLISH not in html

    english = Client().get(addressed.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert f'<h3 id="update-{update.pk}-title">{IN_ENGLISH}</h3>' in english.content.decode()


def test_each_signer_gets_the_response_titled_in_their_own_language(addressed, run_tasks):
    add_signer(addressed, "camille@example.org", "fr")
    add_signer(addressed, "sam@example.org", "en")
    answer_in_english(addressed, run_tasks)
    run_tasks()

    letters = {message.to[0]: message for message in mail.outbox}
    french = letters["camille@example.org"]
    assert IN_FRENCH in french.body and IN_ENGLISH not in french.body
    assert IN_FRENCH in french.alternatives[0][0]
    assert IN_ENGLISH in letters["sam@example.org"].body


def test_organizers_and_moderators_see_the_title_in_their_language(
    addressed, organizer, moderator, settings, run_tasks
):
    settings.UPDATE_EMAILS_NEED_APPROVAL = True
    add_signer(addressed, "camille@example.org", "fr")
    update = answer_in_english(addressed, run_tasks)
    assert update.email_state == Update.EmailState.APPROVAL

    for user, url in [
        (organizer, reverse("dashboard:updates", args=[addressed.pk])),
        (moderator, reverse("updates:approval_queue")),
    ]:
        client = Client()
        client.force_login(user)
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert IN_FRENCH in html and IN_ENGLISH not in html, url


def test_the_api_titles_a_response_in_the_petitions_language(organizer, moderator, run_tasks):
    french_petition = make_petition(organizer, moderator, targets=[MAYOR], language="fr")
    update_actions.post_update(
        french_petition, kind=Update.Kind.RESPONSE, title="", responder=RESPONDER,
        text="Nous rouvrirons le dimanche.", target=french_petition.targets.get(),
    )  # fmt: skip
    for language in ["en", "ru"]:  # the same answer whoever asks: shared caches keep it
        response = Client().get(
            f"/api/v1/petitions/{french_petition.pk}/updates", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.json()["items"][0]["title"] == IN_FRENCH


def test_a_response_stored_with_its_title_keeps_it(petition):
    """Responses published before titles were put together at display time."""
    older = update_actions.post_update(
        petition, kind=Update.Kind.RESPONSE, title="Response from City Council", text="Yes.",
        target=petition.targets.get(),
    )  # fmt: skip
    html = Client().get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'<h3 id="update-{older.pk}-title">Response from City Council</h3>' in html


def test_a_response_without_a_responder_still_needs_a_title(petition):
    with pytest.raises(ValidationError) as error:
        update_actions.post_update(
            petition, kind=Update.Kind.RESPONSE, title="", text="Yes.",
            target=petition.targets.get(),
        )  # fmt: skip
    assert "title" in error.value.message_dict


def test_news_needs_its_own_title_even_with_a_responder(petition):
    with pytest.raises(ValidationError) as error:
        update_actions.post_update(petition, title="", responder=RESPONDER, text="Soon.")
    assert "title" in error.value.message_dict
