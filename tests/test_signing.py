"""A signer signs, confirms by e-mail, and is counted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition

from undersigned.petitions.models import Petition
from undersigned.signatures import actions
from undersigned.signatures.models import CountShard, Signature


def sign(client, petition, **fields):
    return client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, **fields})


def confirm_by_mail(client, run_tasks):
    run_tasks()
    path = link_in_last_mail("confirm")
    return client.post(path)


def test_it_records_an_unconfirmed_signature_and_sends_no_mail_inside_the_request(client, petition):
    response = sign(client, petition)
    assert response.status_code == 303
    assert response["Location"] == reverse("signatures:signed", args=[petition.pk]) + "#main"
    signature = Signature.objects.get()
    assert signature.confirmed_at is None and signature.mail_requested_at is not None
    assert mail.outbox == []  # the worker sends it, not the request


def test_it_echoes_the_address_on_the_check_your_email_page(client, petition):
    page = client.get(sign(client, petition)["Location"])
    assert SIGNER["email"] in page.content.decode()
    assert "not counted until" in page.content.decode()


def test_the_worker_sends_a_confirmation_mail_with_text_and_html(client, petition, run_tasks):
    sign(client, petition)
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [SIGNER["email"]]
    assert petition.title in message.subject
    assert "/confirm/" in message.body and "/withdraw/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_opening_the_link_does_not_confirm_only_the_button_does(client, petition, run_tasks):
    sign(client, petition)
    run_tasks()
    path = link_in_last_mail("confirm")
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm my signature" in page.content
    assert Signature.objects.get().confirmed_at is None
    response = client.post(path)
    assert response.status_code == 303
    assert Signature.objects.get().confirmed_at is not None
    assert actions.count_for(petition) == 1
    thanks = client.get(response["Location"])
    assert "your signature is confirmed" in thanks.content.decode()


def test_only_confirmed_signatures_count(client, petition, run_tasks):
    sign(client, petition)
    assert actions.count_for(petition) == 0
    confirm_by_mail(client, run_tasks)
    assert actions.count_for(petition) == 1
    assert client.get(petition.get_absolute_url()).context["count"] == 1
    assert (
        client.get(reverse("petitions:detail_json", args=[petition.pk])).json()["signature_count"]
        == 1
    )


def test_a_link_works_once(client, petition, run_tasks):
    sign(client, petition)
    run_tasks()
    path = link_in_last_mail("confirm")
    client.post(path)
    again = client.post(path)
    assert again.status_code == 410 and b"already confirmed" in again.content
    assert actions.count_for(petition) == 1


def test_a_malformed_link_gets_its_own_page(client, petition):
    for token in ["nonsense", "12.short", "999999.abcdefghijklmnopqrstuvwxyz"]:
        response = client.get(reverse("signatures:confirm", args=[token]))
        assert response.status_code == 404
        assert b"not complete" in response.content


def test_an_expired_link_offers_a_new_one(client, petition, run_tasks, settings):
    sign(client, petition)
    run_tasks()
    path = link_in_last_mail("confirm")
    Signature.objects.update(token_created_at=timezone.now() - timedelta(days=31))
    response = client.post(path)
    assert response.status_code == 410 and b"expired" in response.content
    assert Signature.objects.get().confirmed_at is None
    client.post(path + "/resend")
    run_tasks()
    assert len(mail.outbox) == 2
    assert client.post(link_in_last_mail("confirm")).status_code == 303


def test_a_link_replaced_by_a_newer_mail_points_to_the_newest(client, petition, run_tasks):
    sign(client, petition)
    run_tasks()
    first = link_in_last_mail("confirm")
    sign(client, petition)  # the same person again: the mail is sent again
    run_tasks()
    second = link_in_last_mail("confirm")
    assert first != second
    # Its secret is no longer stored, so it is any unknown link (which names no one).
    replaced = client.post(first)
    assert replaced.status_code == 404 and b"only the link in the newest one" in replaced.content
    assert client.post(second).status_code == 303


@pytest.mark.parametrize(
    "again",
    ["ANAHIT@example.am", "  anahit@EXAMPLE.am ", "anahit@example.am"],
)
def test_a_second_signature_from_the_same_address_is_one_signature(client, petition, again):
    first = sign(client, petition)
    second = sign(client, petition, email=again)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Signature.objects.count() == 1


def test_gmail_dots_and_tags_are_the_same_address(client, petition):
    sign(client, petition, email="anahit.karapetyan@gmail.com")
    sign(client, petition, email="AnahitKarapetyan+petitions@googlemail.com")
    assert Signature.objects.count() == 1


def test_repeat_signing_resends_the_mail_a_few_times_at_most(client, petition, run_tasks, settings):
    for _attempt in range(6):
        sign(client, petition)
        run_tasks()
    assert len(mail.outbox) == settings.SIGNATURE_MAX_CONFIRMATION_EMAILS


def test_bad_input_gets_inline_errors_and_keeps_the_values(client, petition):
    response = sign(client, petition, name="", email="not-an-address", country="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html
    assert 'class="error-summary"' in html and 'href="#id_email"' in html
    assert (
        'aria-invalid="true"' in html and 'aria-describedby="id_email-hint id_email-error"' in html
    )
    assert "Enter your full name" in html
    assert 'value="not-an-address"' in html
    assert not Signature.objects.exists()


def test_a_comment_longer_than_500_characters_is_refused(client, petition):
    response = sign(client, petition, comment="x" * 501)
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()


def test_an_unknown_country_is_refused(client, petition):
    assert sign(client, petition, country="XX").status_code == 400


def test_a_closed_petition_shows_no_form_and_refuses_a_signature(client, organizer, moderator):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    page = client.get(closed.get_absolute_url())
    assert b'id="sign"' not in page.content and b"closed on" in page.content
    response = sign(client, closed)
    assert response.status_code == 409 and b"not open for signatures" in response.content
    assert not Signature.objects.exists()


def test_a_draft_cannot_be_signed(client, organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    assert sign(client, draft).status_code == 404


def test_confirming_after_the_petition_closed_is_refused(client, petition, run_tasks):
    sign(client, petition)
    run_tasks()
    from undersigned.petitions.actions import close_petition

    close_petition(petition)
    response = client.post(link_in_last_mail("confirm"))
    assert response.status_code == 409
    assert actions.count_for(petition) == 0


def test_withdrawing_drops_the_count_and_erases_the_signer(client, petition, run_tasks):
    sign(client, petition, public="on")
    thanks_url = confirm_by_mail(client, run_tasks)["Location"]
    path = link_in_last_mail("withdraw")
    assert client.get(path).status_code == 200  # a page with a button, not yet removed
    assert actions.count_for(petition) == 1
    assert b"has been removed" in client.post(path).content
    signature = Signature.objects.get()
    assert (signature.name, signature.email, signature.postcode, signature.comment) == ("",) * 4
    assert signature.country == "AM"  # kept, without a person, for per-country totals
    assert actions.count_for(petition) == 0
    # The thank-you page, opened again, no longer says "confirmed".
    thanks = client.get(thanks_url)
    assert thanks.status_code == 410 and b"has been removed" in thanks.content
    # The address is free again: the person may sign anew.
    sign(client, petition)
    assert Signature.objects.count() == 2


def test_recent_signers_show_only_those_who_chose_to_by_first_name_and_initial(
    client, petition, run_tasks
):
    sign(client, petition, public="on")
    confirm_by_mail(client, run_tasks)
    sign(client, petition, name="Hidden Person", email="hidden@example.org")
    confirm_by_mail(client, run_tasks)
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Anahit K." in html and "Libraries matter." in html
    assert "Karapetyan" not in html and "Hidden" not in html


def test_a_recent_signer_s_words_are_escaped_with_country_and_time_shown(
    client, petition, run_tasks
):
    sign(client, petition, public="on", name="D'Arcy O'Neil",
         comment='<script>alert("x")</script> & more')  # fmt: skip
    confirm_by_mail(client, run_tasks)
    html = client.get(petition.get_absolute_url()).content.decode()
    recent = html[html.index('id="recent-heading"') :]
    assert "<script>alert" not in recent
    assert "<strong>D&#x27;Arcy O.</strong>" in recent  # first name and initial, escaped
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in recent
    assert "Armenia" in recent and '<time datetime="20' in recent


def test_no_public_page_or_json_shows_an_email_address_or_postcode(client, petition, run_tasks):
    sign(client, petition, public="on", postcode="XY99 9ZZ")
    confirm_by_mail(client, run_tasks)
    pages = [
        "/",
        reverse("petitions:list"),
        petition.get_absolute_url(),
        reverse("petitions:detail_json", args=[petition.pk]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert SIGNER["email"] not in body and "@" not in body.replace("@media", ""), url
        assert "XY99" not in body, url


def test_the_source_parameter_is_recorded(client, petition):
    client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "source": "whatsapp"})
    assert Signature.objects.get().source == "whatsapp"


def test_a_cross_site_post_is_refused(client, petition):
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), SIGNER, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_the_count_survives_a_recount(client, petition, run_tasks):
    for n in range(3):
        sign(client, petition, email=f"s{n}@example.org")
        confirm_by_mail(client, run_tasks)
    assert sum(CountShard.objects.values_list("count", flat=True)) == 3
    assert actions.recount(petition) == 3
    assert actions.count_for(petition) == 3


def test_refresh_counts_copies_the_count_onto_the_petition_for_lists(client, petition, run_tasks):
    sign(client, petition)
    confirm_by_mail(client, run_tasks)
    actions.refresh_counts()
    petition.refresh_from_db()
    assert petition.signature_count == 1


@pytest.mark.parametrize(
    ("header", "country"),
    [("hy-AM,hy;q=0.9", "AM"), ("fr-CA,fr;q=0.8", "CA"), ("fr", "FR"), ("en", ""), ("", "")],
)
def test_the_country_is_preselected_from_the_browser_language(client, petition, header, country):
    page = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=header)
    assert page.context["form"]["country"].value() == country


def test_the_sign_form_has_labels_autocomplete_and_no_ticked_opt_ins(client, petition):
    html = client.get(petition.get_absolute_url()).content.decode()
    for field in ["name", "email", "country", "postcode", "comment", "public", "wants_updates"]:
        assert f'<label for="id_{field}">' in html
    assert 'autocomplete="email"' in html and 'autocomplete="name"' in html
    assert 'type="email"' in html
    assert "checked" not in html.split('id="sign"')[1]


def test_a_signer_can_have_their_log_receipt_emailed_once_an_hour(client, petition, run_tasks):
    sign(client, petition)
    thanks_url = confirm_by_mail(client, run_tasks)["Location"]
    mail.outbox.clear()
    response = client.post(thanks_url + "/receipt")
    assert response.status_code == 303 and response["Location"].endswith("?receipt=sent")
    client.post(thanks_url + "/receipt")
    run_tasks()
    (message,) = mail.outbox
    assert "receipt" in message.subject.lower() and "--receipt" in message.body
    assert "/unsubscribe/" in message.body and "/withdraw/" in message.body
    assert b"Asked." in client.get(response["Location"]).content


def test_signing_again_after_confirming_e_mails_that_the_signature_already_counts(
    client, petition, run_tasks
):
    sign(client, petition)
    run_tasks()
    assert client.post(link_in_last_mail("confirm")).status_code == 303
    mail.outbox.clear()

    again = sign(client, petition, email=SIGNER["email"].upper())
    sign(client, petition)  # a third time the same day: no second e-mail
    run_tasks()

    assert again.status_code == 303  # the same page as a first signature: no one learns who signed
    assert [m.subject for m in mail.outbox] == [f"You have already signed: {petition.title}"]
    assert "nothing more to do" in mail.outbox[0].body
    assert Signature.objects.get().confirmed_at is not None
    assert actions.count_for(petition) == 1
