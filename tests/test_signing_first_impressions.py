"""What a new signer meets (#21): names need letters and are never cut, a likely typo in
the address is asked about before signing, and the page after signing says only what is
true whether or not the address had signed before."""

from __future__ import annotations

import builtins
import json
import socket

import pytest
from django.core import mail
from django.urls import reverse
from support import SIGNER, link_in_last_mail

from undersigned.api.models import ApiKey
from undersigned.signatures.models import Signature, short_name
from undersigned.signatures.typos import suggest_address, suggested_domain

MIXED = "Ani 🇦🇲 Hakobyan ✊🏽"


def sign(client, petition, **fields):
    return client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, **fields})


def signed_page(client, petition) -> str:
    return client.get(reverse("signatures:signed", args=[petition.pk])).content.decode()


# --- names --------------------------------------------------------------------------------


def test_it_refuses_a_name_of_emoji_alone_and_says_what_to_do(client, petition):
    response = sign(client, petition, name="😀🔥✊🏽")
    assert response.status_code == 400
    assert "Enter your full name in letters, for example Anahit Karapetyan." in (
        response.content.decode()
    )
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "name", ["Անի Հակոբյան", "Анна Петрова", "Ani Hakobyan", MIXED, "王伟", "Şahin Aydın"]
)
def test_it_takes_names_in_any_script(client, petition, name):
    assert sign(client, petition, name=name).status_code == 303
    assert Signature.objects.get().name == name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (MIXED, "Ani H."),
        ("Anahit Karapetyan", "Anahit K."),
        ("✊ Анна Петрова 🌹", "Анна П."),
        ("Ani ✊🏽", "Ani"),
        ("Aydın S\u0327ahin", "Aydın S\u0327."),  # the initial keeps its combining cedilla
        ("😀🔥", "😀🔥"),  # refused by the form now; an older row still shows something
    ],
)
def test_public_initials_come_from_the_last_word_with_letters(name, shown):
    assert short_name(name) == shown


def test_a_mixed_name_is_shown_as_first_name_and_initial_once_confirmed(
    client, petition, run_tasks
):
    sign(client, petition, name=MIXED, public="on")
    run_tasks()
    client.post(link_in_last_mail("confirm"))
    page = client.get(petition.get_absolute_url()).content.decode()
    assert "<strong>Ani H.</strong>" in page and "✊" not in page.split('class="signers"')[1]


def test_an_over_long_name_gets_an_error_and_is_never_cut(client, petition):
    long_name = "Anahit " + "Karapetyan-" * 27  # 304 characters
    response = sign(client, petition, name=long_name)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter your name in 100 characters or fewer (you typed 304)." in html
    name_input = html.split('id="id_name"')[0].rsplit("<input", 1)[1]
    assert "maxlength" not in name_input  # a browser would cut it silently, mid-word
    assert long_name in html  # kept as typed, to shorten
    assert not Signature.objects.exists()


@pytest.fixture
def partner(petition) -> str:
    key = ApiKey(name="Friends of the Library", rate_limit=100)
    raw = key.new_secret()
    key.save()
    key.petitions.add(petition)
    return raw


def partner_sign(client, petition, raw, **fields):
    return client.post(
        f"/api/v1/petitions/{petition.pk}/signatures",
        json.dumps({**SIGNER, "reference": "crm-1", **fields}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_partner_signing_refuses_such_names_with_its_usual_error_shape(client, petition, partner):
    for name, words in [("😀🔥✊🏽", "in letters"), ("A" * 300, "you typed 300")]:
        response = partner_sign(client, petition, partner, name=name)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid" and set(error["fields"]) == {"name"}
        assert words in error["fields"]["name"][0]
    assert not Signature.objects.exists()


def test_partner_signing_takes_the_address_as_sent(client, petition, partner):
    assert partner_sign(client, petition, partner, email="anahit@gmial.com").status_code == 202
    assert Signature.objects.get().email == "anahit@gmial.com"


# --- "Did you mean …?" --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("anahit@gmial.com", "anahit@gmail.com"),
        ("anahit@gmail.con", "anahit@gmail.com"),
        ("anahit@hotmial.com", "anahit@hotmail.com"),
        ("Ani.H+petitions@GMAIL.CON", "Ani.H+petitions@gmail.com"),  # only the domain changes
        ("anahit@yandex.ry", "anahit@yandex.ru"),
    ],
)
def test_it_suggests_the_big_provider_a_typo_was_meant_for(typed, meant):
    assert suggest_address(typed) == meant


@pytest.mark.parametrize(
    "address",
    [
        "anahit@example.am",  # mailcheck's own top-level guess made this "exatple.at"
        "anahit@uni.am",
        "anahit@gmail.com",
        "anahit@mail.com",  # a provider of its own, one letter from gmail.com
        "anahit@gmx.at",
        "anahit@yahoo.com.ar",
        "anahit@пример.рф",
        "sign-1-2@sign.bench",  # the benchmark's addresses
    ],
)
def test_it_leaves_ordinary_addresses_alone(address):
    assert suggest_address(address) == ""


def test_the_suggestion_needs_no_database_no_network_and_no_files(monkeypatch):
    """No `db` fixture: pytest-django refuses any query here."""
    suggested_domain.cache_clear()

    def refuse(*args, **kwargs):
        raise AssertionError("I/O while suggesting an address")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(builtins, "open", refuse)
    assert suggest_address("anahit@gmial.com") == "anahit@gmail.com"
    assert suggest_address("anahit@uni-yerevan.am") == ""


def test_a_likely_typo_is_asked_about_with_the_answers_kept_and_nothing_written(client, petition):
    response = sign(client, petition, email="anahit@gmial.com", postcode="0010", public="on")
    assert response.status_code == 400
    html = response.content.decode().replace("<wbr>", "")  # wrap points in the addresses
    assert "Did you mean anahit@gmail.com?" in html
    assert 'name="email_answer" value="suggested">Use anahit@gmail.com</button>' in html
    assert 'name="email_answer" value="typed">No, my address is right</button>' in html
    assert 'name="email_asked" value="anahit@gmial.com"' in html
    for kept in ['value="Anahit Karapetyan"', 'value="anahit@gmial.com"', "Libraries matter."]:
        assert kept in html
    assert 'id="id_public" checked' in html
    assert not Signature.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    ("answer", "used"),
    [("suggested", "anahit@gmail.com"), ("typed", "anahit@gmial.com"), ("", "anahit@gmial.com")],
)
def test_the_second_submit_signs_with_the_address_chosen(client, petition, answer, used):
    """ "Use …", "No, my address is right", or just "Sign this petition" again."""
    response = sign(
        client, petition, email="anahit@gmial.com", email_asked="anahit@gmial.com",
        email_answer=answer,
    )  # fmt: skip
    assert response.status_code == 303
    assert Signature.objects.get().email == used
    assert f"<strong>{used}</strong>" in signed_page(client, petition)


def test_the_question_s_first_button_is_use_the_suggestion_so_enter_takes_it(client, petition):
    """Enter in a field submits with the form's first submit button (HTML's implicit
    submission): that must be "Use …", before "Sign this petition"."""
    html = sign(client, petition, email="anahit@gmial.com").content.decode()
    form = html[html.index('<form method="post" action="/petitions/') :]
    buttons = [part.split(">", 1)[0] for part in form.split("<button")[1:]]
    assert 'name="email_answer" value="suggested"' in buttons[0]


def test_a_form_shown_again_for_its_errors_keeps_the_share_link_s_source(client, petition):
    response = sign(client, petition, name="", source="mastodon")
    assert response.status_code == 400
    assert '<input type="hidden" name="source" value="mastodon">' in response.content.decode()
    sign(client, petition, source="mastodon")
    assert Signature.objects.get().source == "mastodon"


def test_a_changed_address_is_checked_again_and_an_unseen_suggestion_never_used(client, petition):
    response = sign(
        client, petition, email="anahit@hotmial.com", email_asked="anahit@gmial.com",
        email_answer="suggested",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Did you mean anahit@<wbr>hotmail.<wbr>com?" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_question_is_the_same_whether_or_not_the_address_signed(client, petition, run_tasks):
    before = sign(client, petition, email="anahit@gmial.com").content
    sign(client, petition, email="anahit@gmial.com", email_asked="anahit@gmial.com")
    assert sign(client, petition, email="anahit@gmial.com").content == before
    run_tasks()
    client.post(link_in_last_mail("confirm"))
    assert sign(client, petition, email="anahit@gmial.com").content == before


def test_answering_the_question_costs_the_sign_no_query(
    client, petition, django_assert_max_num_queries
):
    sign(client, petition, email="warm@example.org")  # the petition's facts, kept a second
    with django_assert_max_num_queries(10) as plain:
        sign(client, petition, email="first@example.org")
    with django_assert_max_num_queries(10) as answered:
        sign(
            client, petition, email="second@gmial.com", email_asked="second@gmial.com",
            email_answer="suggested",
        )  # fmt: skip
    assert len(answered.captured_queries) == len(plain.captured_queries)


# --- the page and e-mails after signing ---------------------------------------------------


def test_the_page_after_signing_is_the_same_and_true_for_a_first_and_a_repeated_signature(
    client, petition, run_tasks
):
    sign(client, petition)
    first = signed_page(client, petition)
    assert (
        f"We have sent a link to <strong>{SIGNER['email']}</strong> to confirm your signature, "
        "unless that address has already confirmed one on this petition."
    ) in first
    assert "we send the link up to 3 times" in first
    run_tasks()
    client.post(link_in_last_mail("confirm"))
    sign(client, petition)
    assert signed_page(client, petition) == first
    run_tasks()
    (*_, told) = mail.outbox
    assert "no new link to open" in told.body and "/confirm/" not in told.body


def test_the_confirmation_mail_says_a_newer_link_replaces_an_older_one(client, petition, run_tasks):
    sign(client, petition)
    run_tasks()
    assert "use the newest: each new link replaces the one before" in mail.outbox[-1].body
