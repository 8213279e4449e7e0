"""Organizers sign up and sign in with a one-time link e-mailed to them; no passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from factories_accounts import ask_for_link, mailed_link, sign_in_by_mail
from support import make_petition

from undersigned.accounts import actions
from undersigned.accounts.models import User
from undersigned.petitions.models import Petition


def signed_in_as(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def test_it_shows_the_sign_in_form_with_a_labelled_email_field(client, db):
    page = client.get(reverse("accounts:sign_in"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_email">' in html and 'type="email"' in html
    assert "Send me a sign-in link" in html


def test_it_queues_the_mail_and_sends_nothing_inside_the_request(client, db):
    page = ask_for_link(client, "new@example.org")
    assert page.status_code == 200 and b"Check your e-mail" in page.content
    assert b"new@example.org" in page.content  # the address is echoed back
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1


def test_the_check_your_email_page_does_not_tell_whether_an_account_exists(client, organizer):
    existing = ask_for_link(client, organizer.email).content.decode()
    new = ask_for_link(client, "stranger@example.org").content.decode()
    assert existing.replace(organizer.email, "ADDRESS") == new.replace(
        "stranger@example.org", "ADDRESS"
    )


def test_the_mail_has_a_text_and_an_html_part_with_the_link(client, organizer, run_tasks):
    ask_for_link(client, organizer.email)
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [organizer.email]
    assert "sign-in link" in message.subject
    assert "/accounts/sign-in/" in message.body and "Lena Aramyan" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_the_mail_never_repeats_a_name_typed_by_whoever_asked(client, db, run_tasks):
    ask_for_link(client, "victim@example.org", "Visit evil dot example")
    run_tasks()
    assert "evil" not in mail.outbox[0].body and "Hello," in mail.outbox[0].body


def test_it_explains_a_malformed_address_in_the_form(client, db):
    page = client.post(reverse("accounts:sign_in"), {"email": "not an address"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "<title>Error:" in html
    assert 'href="#id_email"' in html and 'aria-invalid="true"' in html
    assert DBTaskResult.objects.count() == 0


def test_opening_the_link_does_not_sign_in_only_the_button_does(client, db):
    path = mailed_link(client, "new@example.org", "Nare Petrosyan")
    page = client.get(path)
    assert page.status_code == 200 and b"Sign in" in page.content
    assert not User.objects.exists() and signed_in_as(client) is None
    response = client.post(path)
    assert response.status_code == 303
    assert response["Location"] == reverse("accounts:dashboard")
    assert signed_in_as(client) == User.objects.get()


def test_signing_up_creates_a_verified_account_without_a_password(client, db):
    sign_in_by_mail(client, "Nare@Example.org", "Nare Petrosyan")
    user = User.objects.get()
    assert user.email == "nare@example.org" and user.name == "Nare Petrosyan"
    assert user.last_login is not None  # the address has been proven by the link
    assert not user.has_usable_password() and not user.is_staff


def test_signing_in_keeps_the_existing_account_and_its_name(client, organizer):
    sign_in_by_mail(client, organizer.email, "Someone Else")
    assert User.objects.count() == 1
    organizer.refresh_from_db()
    assert organizer.name == "Lena Aramyan"
    assert signed_in_as(client) == organizer


def test_it_refuses_a_sign_in_link_used_twice(client, organizer):
    path = mailed_link(client, organizer.email)
    assert client.post(path).status_code == 303
    again = Client().post(path)
    assert again.status_code == 410 and b"already been used" in again.content
    assert Client().get(path).status_code == 410


def test_signing_in_makes_older_links_stop_working(client, organizer):
    older = mailed_link(client, organizer.email)
    newer = mailed_link(client, organizer.email)
    assert Client().post(newer).status_code == 303
    assert Client().post(older).status_code == 410


def test_an_expired_link_says_so_and_offers_a_new_one(client, organizer, settings):
    past = timezone.now() - timedelta(minutes=settings.SIGN_IN_LINK_MINUTES + 1)
    token = actions.make_sign_in_token(organizer.email, now=past)
    page = client.post(reverse("accounts:sign_in_link", args=[token]))
    html = page.content.decode()
    assert page.status_code == 410 and "has expired" in html
    assert f'value="{organizer.email}"' in html and "Send me a new link" in html
    assert signed_in_as(client) is None


def test_a_link_within_its_lifetime_works(client, organizer, settings):
    recent = timezone.now() - timedelta(minutes=settings.SIGN_IN_LINK_MINUTES - 1)
    token = actions.make_sign_in_token(organizer.email, now=recent)
    assert client.post(reverse("accounts:sign_in_link", args=[token])).status_code == 303


@pytest.mark.parametrize("change", ["cut", "tamper", "garbage", "huge"])
def test_it_refuses_a_tampered_or_truncated_link(client, organizer, change):
    token = actions.make_sign_in_token(organizer.email)
    bad = {
        "cut": token[:-5],
        "tamper": token[:5] + ("A" if token[5] != "A" else "B") + token[6:],
        "garbage": "hello:world",
        "huge": "x" * 3000,
    }[change]
    page = client.post(reverse("accounts:sign_in_link", args=[bad]))
    assert page.status_code == 404 and b"not complete" in page.content
    assert signed_in_as(client) is None


def test_a_link_signed_for_another_purpose_is_refused(client, organizer):
    from django.core import signing

    token = signing.dumps(organizer.email, salt="signatures.withdraw")
    assert client.post(reverse("accounts:sign_in_link", args=[token])).status_code == 404


def test_a_switched_off_account_gets_no_link_and_cannot_use_an_old_one(client, organizer):
    token = actions.make_sign_in_token(organizer.email)
    User.objects.filter(pk=organizer.pk).update(is_active=False)
    assert client.post(reverse("accounts:sign_in_link", args=[token])).status_code == 403
    page = ask_for_link(client, organizer.email)
    assert page.status_code == 200 and DBTaskResult.objects.count() == 0


def test_it_goes_to_the_next_page_after_signing_in(client, db):
    response = sign_in_by_mail(client, "new@example.org", next_url="/petitions/new")
    assert response["Location"] == "/petitions/new"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_is_never_an_external_url(client, db, next_url):
    response = sign_in_by_mail(client, "new@example.org", next_url=next_url)
    assert response.status_code == 303
    assert response["Location"] == reverse("accounts:dashboard")


def test_a_login_required_page_sends_you_to_sign_in_and_back(client, db):
    response = client.get(reverse("petitions:new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in") + "?next=")
    form = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/petitions/new"' in form


def test_signing_out_needs_a_post_and_ends_the_session(client, organizer):
    client.force_login(organizer)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 303 and signed_in_as(client) is None


def test_the_dashboard_needs_a_signed_in_organizer(client, db):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_the_dashboard_lists_only_your_own_petitions(client, organizer, moderator):
    mine = make_petition(organizer, moderator, title="Plant trees on Harbour Road")
    draft = make_petition(organizer, state=Petition.State.DRAFT, title="Open a night bus line")
    other = User.objects.create_user("other@example.org")
    make_petition(other, moderator, title="Someone else's petition")
    client.force_login(organizer)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert mine.title in html and draft.title in html
    assert "Someone else" not in html
    assert reverse("petitions:edit", args=[draft.pk]) in html
    assert reverse("petitions:edit", args=[mine.pk]) not in html  # open: no longer editable
    assert "Start a petition" in html


def test_the_admin_lists_users_by_email(client, moderator):
    moderator.is_superuser = True
    moderator.save()
    client.force_login(moderator)
    page = client.get(reverse("admin:accounts_user_changelist"))
    assert page.status_code == 200 and b"mod@example.org" in page.content
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
