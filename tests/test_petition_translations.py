"""Organizers translate their petition; visitors read their language; one count."""

from __future__ import annotations

from django.urls import reverse
from support import SIGNER, make_petition

from undersigned.petitions import actions
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature


def test_an_organizer_adds_a_translation_to_a_draft(client, organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    client.force_login(organizer)
    url = reverse("petitions:translations", args=[draft.pk])
    response = client.post(
        url,
        {
            "language": "fr",
            "title": "Gardez la bibliothèque ouverte",
            "text": "Nous **demandons**.",
        },
    )
    assert response.status_code == 303
    (translation,) = draft.translations.all()
    assert translation.language == "fr" and "<strong>demandons</strong>" in translation.text_html


def test_a_translation_needs_a_title_and_another_language(client, organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    client.force_login(organizer)
    url = reverse("petitions:translations", args=[draft.pk])
    response = client.post(url, {"language": "en", "title": "", "text": "x"})
    assert response.status_code == 400 and not draft.translations.exists()


def test_visitors_see_their_language_with_links_to_the_others(client, organizer, moderator):
    petition = make_petition(organizer, moderator)
    actions.save_translation(petition, "fr", "Gardez la bibliothèque ouverte", "Texte français.")
    french = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr">Gardez la bibliothèque ouverte</h1>' in french and "Texte français." in french
    assert 'hreflang="en"' in french
    english = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert petition.title in english and 'hreflang="fr"' in english
    chosen = client.get(petition.get_absolute_url() + "?lang=fr", HTTP_ACCEPT_LANGUAGE="en")
    assert "Gardez" in chosen.content.decode()


def test_signatures_count_once_across_translations(client, organizer, moderator):
    petition = make_petition(organizer, moderator)
    actions.save_translation(petition, "fr", "Titre", "Texte.")
    url = reverse("signatures:sign", args=[petition.pk])
    client.post(url, SIGNER, HTTP_ACCEPT_LANGUAGE="fr")
    client.post(url, SIGNER, HTTP_ACCEPT_LANGUAGE="en")
    assert Signature.objects.filter(petition=petition).count() == 1


def test_others_cannot_translate_and_an_open_petition_is_frozen(client, organizer, moderator):
    petition = make_petition(organizer, moderator)
    url = reverse("petitions:translations", args=[petition.pk])
    client.force_login(moderator.__class__.objects.create_user("x@example.org"))
    assert client.get(url).status_code == 404
    client.force_login(organizer)
    response = client.post(url, {"language": "fr", "title": "T", "text": "x"})
    assert response.status_code == 409 and not petition.translations.exists()
