"""Staff sign-in: password guessing is limited per account as well as per address, and
with STAFF_TWO_FACTOR a moderator needs both the password and an e-mailed link."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from factories_accounts import SIGN_IN_LINK, ask_for_link, mailed_link
from support import link_in_last_mail, run_queued_tasks

from undersigned.accounts.models import User

PASSWORD = "a-strong-password-1"  # the moderator persona's (conftest.py)


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    # One fixed window throughout: a dozen password checks may straddle a window's edge.
    monkeypatch.setattr("undersigned.lib.ratelimit.time", SimpleNamespace(time=lambda: 6000.0))


def attempt(email: str, password: str, address: str = "198.51.100.1", client=None, **data):
    client = client or Client()
    form = {"username": email, "password": password, **data}
    return client.post(reverse("admin:login"), form, REMOTE_ADDR=address)


def fail_from_many_addresses(email: str, times: int) -> list[int]:
    return [attempt(email, f"guess-{n}", f"203.0.113.{n + 1}").status_code for n in range(times)]


def has_admin_session(client: Client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def other_moderator(db) -> User:
    return User.objects.create_user("ani@example.org", "another-strong-password", is_staff=True)


def test_guesses_from_many_addresses_lock_the_account_even_for_the_right_password(
    moderator, other_moderator, settings
):
    settings.STAFF_TWO_FACTOR = False
    assert fail_from_many_addresses(moderator.email, 10) == [200] * 10
    client = Client()
    locked = attempt(moderator.email, PASSWORD, "192.0.2.77", client)
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Wait up to 15 minutes" in locked.content.decode()
    assert not has_admin_session(client)
    # Another account, from the next address along, is not affected.
    other = Client()
    assert (
        attempt(other_moderator.email, "another-strong-password", "192.0.2.78", other).status_code
        == 302
    )
    assert has_admin_session(other)


def test_the_account_limit_is_configurable(moderator, settings):
    settings.STAFF_TWO_FACTOR = False
    settings.STAFF_LOGIN_ACCOUNT_ATTEMPTS = 3
    settings.STAFF_LOGIN_ACCOUNT_MINUTES = 60
    assert fail_from_many_addresses(moderator.email, 3) == [200] * 3
    locked = attempt(moderator.email, PASSWORD, "192.0.2.77")
    assert locked.status_code == 429 and "Wait up to 60 minutes" in locked.content.decode()


def test_the_account_limit_ignores_case_and_spaces_in_the_address(moderator, settings):
    settings.STAFF_LOGIN_ACCOUNT_ATTEMPTS = 3
    for n, spelling in enumerate(["MOD@example.org", " mod@EXAMPLE.org", "Mod@Example.Org"]):
        attempt(spelling, "guess", f"203.0.113.{n + 1}")
    assert attempt(moderator.email, PASSWORD, "192.0.2.77").status_code == 429


def test_a_locked_account_looks_the_same_whether_or_not_it_exists(moderator, settings):
    settings.STAFF_LOGIN_ACCOUNT_ATTEMPTS = 3
    fail_from_many_addresses(moderator.email, 3)
    fail_from_many_addresses("nobody@example.org", 3)
    real = attempt(moderator.email, PASSWORD, "192.0.2.77")
    unknown = attempt("nobody@example.org", PASSWORD, "192.0.2.78")
    assert real.status_code == unknown.status_code == 429
    assert real["Retry-After"] == unknown["Retry-After"]
    assert without_csrf(real.content.decode()).replace(moderator.email, "ADDRESS") == (
        without_csrf(unknown.content.decode()).replace("nobody@example.org", "ADDRESS")
    )


def test_a_successful_sign_in_does_not_reset_another_accounts_counter(
    moderator, other_moderator, settings
):
    settings.STAFF_TWO_FACTOR = False
    settings.STAFF_LOGIN_ACCOUNT_ATTEMPTS = 3
    fail_from_many_addresses(moderator.email, 2)
    # The guesser signs in to an account of their own, from the same address...
    assert (
        attempt(other_moderator.email, "another-strong-password", "203.0.113.2").status_code == 302
    )
    attempt(moderator.email, "guess-again", "203.0.113.3")
    # ...and the third failure still locks the moderator's account.
    assert attempt(moderator.email, PASSWORD, "192.0.2.77").status_code == 429


def test_with_two_factor_the_right_password_alone_gives_no_admin_session(moderator, settings):
    assert settings.STAFF_TWO_FACTOR  # the default
    client = Client()
    page = attempt(moderator.email, PASSWORD, client=client)
    assert page.status_code == 200 and "Check your e-mail" in page.content.decode()
    assert client.session.get(SESSION_KEY) is None
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("moderation:queue")).status_code == 302


def test_the_link_mailed_after_the_password_signs_the_moderator_in(moderator):
    client = Client()
    attempt(moderator.email, PASSWORD, client=client, next="/moderation/")
    run_queued_tasks()
    (message,) = mail.outbox
    assert message.to == [moderator.email]
    assert "your password" in message.body  # and says what to do if it was not you
    path = link_in_last_mail(SIGN_IN_LINK)
    assert client.get(path).status_code == 200  # opening the link changes nothing
    assert not has_admin_session(client)
    response = client.post(path)
    assert response.status_code == 303 and response["Location"] == "/moderation/"
    assert has_admin_session(client)
    assert client.get(reverse("moderation:queue")).status_code == 200
    assert Client().post(path).status_code == 410  # and it works once


def test_a_wrong_password_sends_no_link(moderator):
    attempt(moderator.email, "not-the-password")
    run_queued_tasks()
    assert mail.outbox == []


def test_the_e_mailed_link_alone_does_not_sign_a_moderator_in(moderator):
    client = Client()
    path = mailed_link(client, moderator.email, next_url="/moderation/")
    page = client.post(path)
    html = page.content.decode()
    assert page.status_code == 403 and "password" in html
    assert f"{reverse('accounts:staff_sign_in')}?next=/moderation/" in html  # where to go instead
    assert client.session.get(SESSION_KEY) is None
    assert not has_admin_session(client)
    assert client.get(reverse("moderation:queue")).status_code == 302
    # The refused link was not spent: the moderator's sign-ins still work afterwards.
    assert attempt(moderator.email, PASSWORD).status_code == 200


def test_the_organizer_form_still_answers_the_same_for_a_moderators_address(moderator, db):
    staff = ask_for_link(Client(), moderator.email).content.decode()
    stranger = ask_for_link(Client(), "stranger@example.org").content.decode()
    assert staff.replace(moderator.email, "ADDRESS") == stranger.replace(
        "stranger@example.org", "ADDRESS"
    )


def test_a_session_from_a_link_ends_when_the_account_is_made_a_moderator(organizer):
    client = Client()
    client.post(mailed_link(client, organizer.email))
    assert client.session.get(SESSION_KEY) is not None
    User.objects.filter(pk=organizer.pk).update(is_staff=True)
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302  # sent to sign in again, with a password
    assert not has_admin_session(client)


def test_without_two_factor_the_password_alone_signs_in(moderator, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    response = attempt(moderator.email, PASSWORD, client=client)
    assert response.status_code == 302 and has_admin_session(client)
    run_queued_tasks()
    assert mail.outbox == []


def test_without_two_factor_a_moderator_may_still_sign_in_by_link(moderator, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    assert client.post(mailed_link(client, moderator.email)).status_code == 303
    assert has_admin_session(client)


def test_the_staff_sign_in_page_shows_the_admin_form_and_answers_bad_input_with_errors(db):
    client = Client()
    page = client.get(reverse("admin:login"))
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    for data in [{}, {"username": "x" * 300, "password": "p"}, {"username": "a@b.c"}]:
        response = client.post(reverse("admin:login"), data, REMOTE_ADDR="192.0.2.9")
        assert response.status_code == 200 and b'id="error-summary"' in response.content
