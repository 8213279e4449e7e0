"""Moderators sign in on a page of the site's own, at /accounts/staff-sign-in/, which the
admin's /admin/login/ shows too: the site's header, form fields and error summary, the
same limits whichever address is used (tests/test_security_staff_sign_in.py has the rest
of the security behaviour)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

PASSWORD = "a-strong-password-1"  # the moderator persona's (conftest.py)
STAFF_SIGN_IN = "/accounts/staff-sign-in/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # One fixed window throughout: a dozen password checks may straddle a window's edge.
    monkeypatch.setattr("undersigned.lib.ratelimit.time", SimpleNamespace(time=lambda: 6000.0))


def test_it_lives_at_its_own_address_in_the_sites_design():
    assert reverse("accounts:staff_sign_in") == STAFF_SIGN_IN
    html = Client().get(STAFF_SIGN_IN).content.decode()
    assert '<a class="skip-link" href="#main">' in html and 'class="site-header"' in html
    assert "<h1>Sign in as a moderator</h1>" in html and "Django administration" not in html
    assert '<label for="id_username">E-mail address</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert "autofocus" not in html  # after an error, focus goes to the error summary
    assert '<input type="hidden" name="next" value="/moderation/">' in html
    assert reverse("accounts:sign_in") in html  # organizers are sent to their own page


def test_the_admins_address_shows_the_same_page_and_goes_on_to_the_admin():
    html = Client().get(reverse("admin:login")).content.decode()
    assert "<h1>Sign in as a moderator</h1>" in html and 'class="site-header"' in html
    assert '<input type="hidden" name="next" value="/admin/">' in html
    admin = Client().get(reverse("admin:index"))
    assert admin["Location"] == reverse("admin:login") + "?next=/admin/"


def test_every_sign_in_with_a_password_link_leads_to_it(client):
    organizers_page = client.get(reverse("accounts:sign_in")).content.decode()
    assert f'href="{STAFF_SIGN_IN}">sign in with a password</a>' in organizers_page
    queue = client.get(reverse("moderation:queue"))
    assert queue["Location"] == f"{STAFF_SIGN_IN}?next=/moderation/"
    approvals = client.get(reverse("updates:approval_queue"))
    assert approvals["Location"].startswith(f"{STAFF_SIGN_IN}?next=")


def test_missing_fields_are_named_in_an_error_summary_that_links_to_them():
    response = Client().post(STAFF_SIGN_IN, {})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert 'id="error-summary"' in html and "There is a problem" in html
    assert '<a href="#id_username">Enter your e-mail address' in html
    assert '<a href="#id_password">Enter your password.</a>' in html
    assert html.count('aria-invalid="true"') == 2


def test_a_wrong_password_is_refused_in_our_words_with_the_address_kept(moderator):
    response = Client().post(STAFF_SIGN_IN, {"username": moderator.email, "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert "do not match a moderator account" in html
    assert f'value="{moderator.email}"' in html and "nope" not in html


def test_without_two_factor_the_password_signs_in_and_goes_on_to_the_queue(moderator, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    response = client.post(STAFF_SIGN_IN, {"username": moderator.email, "password": PASSWORD,
                                           "next": "/moderation/"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/moderation/"
    assert client.session.get(SESSION_KEY) == str(moderator.pk)
    # Signed in already: the page goes straight on, to `next` if it is on this site.
    assert client.get(STAFF_SIGN_IN)["Location"] == "/moderation/"
    next_elsewhere = client.get(STAFF_SIGN_IN, {"next": "https://evil.example/"})
    assert next_elsewhere["Location"] == "/moderation/"


def test_with_two_factor_the_password_leads_to_check_your_email(moderator):
    client = Client()
    response = client.post(STAFF_SIGN_IN, {"username": moderator.email, "password": PASSWORD})
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_both_addresses_share_one_limit_per_address(moderator):
    # Ten accounts guessed from one address (so no account's own limit is reached)...
    guesses = [
        Client().post(url, {"username": f"someone-{n}@example.org", "password": "guess"},
                      REMOTE_ADDR="198.51.100.7").status_code
        for n, url in enumerate([STAFF_SIGN_IN, reverse("admin:login")] * 5)
    ]  # fmt: skip
    assert guesses == [200] * 10
    # ...and that address is refused at both, even with the right password.
    for url in (STAFF_SIGN_IN, reverse("admin:login")):
        refused = Client().post(url, {"username": moderator.email, "password": PASSWORD},
                                REMOTE_ADDR="198.51.100.7")  # fmt: skip
        assert refused.status_code == 429
