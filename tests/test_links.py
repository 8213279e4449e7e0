"""lib/links.py: the one-time link every e-mailed flow uses — its secret and stored hash,
the "<id>.<secret>" format, matching that does the same work for a missing row, expiry,
spending once, and the three pages (malformed, expired, used) in each flow's words."""

from __future__ import annotations

import ast
import hashlib
import inspect
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.safestring import mark_safe

from undersigned.lib import links
from undersigned.privacy.models import DataRequest  # any table with a token_hash will do

NOW = timezone.now()


@pytest.fixture
def row(db) -> tuple[DataRequest, str]:
    """A stored link and its secret, as a flow makes them."""
    data_request = DataRequest.objects.create(
        kind="export", email_normalized="a@b.c", created_at=NOW
    )
    token = data_request.new_token()
    data_request.save()
    return data_request, token


def answer(kind: str, **words):
    request = RequestFactory().get("/somewhere")
    request.user = AnonymousUser()
    response = links.page(request, kind, **words)
    return response.status_code, response.content.decode()


# Secrets and the link's format


def test_each_secret_is_new_long_and_url_safe_and_only_its_sha256_is_stored():
    secret, stored = links.new_secret()
    assert len(secret) == 32 and secret.replace("-", "").replace("_", "").isalnum()
    assert stored == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored
    assert links.new_secret()[0] != secret


def test_a_token_is_the_id_and_the_secret_and_parses_back():
    secret, _stored = links.new_secret()
    assert links.make_token(42, secret) == f"42.{secret}"
    assert links.parse(links.make_token(42, secret)) == (42, secret)


@pytest.mark.parametrize(
    "token",
    [
        "", "nonsense", "12", "12.", "12.short", ".xxxxxxxxxxxxxxxxxxxx", "x1.xxxxxxxxxxxxxxxxxxxx",
        "-1.xxxxxxxxxxxxxxxxxxxx", "１２.xxxxxxxxxxxxxxxxxxxx", "\u0661.xxxxxxxxxxxxxxxxxxxx",
        "9" * 19 + ".xxxxxxxxxxxxxxxxxxxx", "12." + "x" * 81, "12..",
    ],
)  # fmt: skip
def test_anything_but_ascii_digits_a_dot_and_a_plausible_secret_is_not_a_link(token):
    assert links.parse(token) is None


def test_the_limits_themselves_are_accepted():
    assert links.parse("9" * 18 + "." + "x" * 16) == (int("9" * 18), "x" * 16)
    assert links.parse("0." + "x" * 80) == (0, "x" * 80)


def test_a_secret_matches_only_its_own_hash_and_an_empty_hash_matches_nothing():
    secret, stored = links.new_secret()
    assert links.matches(stored, secret)
    assert not links.matches(stored, secret + "x")
    assert not links.matches("", secret) and not links.matches(None, secret)
    assert not links.matches(links.NO_HASH, "")


# Finding the row


def test_it_finds_the_row_of_a_genuine_link(row):
    data_request, token = row
    found = links.find(DataRequest.objects.all(), token)
    assert found.row == data_request and found.secret == token.partition(".")[2]
    assert found.unmatched is None


def test_a_wrong_secret_finds_nothing_but_says_which_row_it_named(row):
    data_request, _token = row
    found = links.find(DataRequest.objects.all(), f"{data_request.pk}.{'x' * 32}")
    assert found.row is None and found.secret == ""
    assert found.unmatched == data_request  # for "replaced" pages; never shown


def test_a_missing_id_and_a_wrong_secret_cost_the_same_lookup_and_hashing(row):
    data_request, _token = row

    def work(token: str) -> tuple[int, int]:
        with (
            mock.patch.object(links, "hash_secret", wraps=links.hash_secret) as hashing,
            CaptureQueriesContext(connection) as queries,
        ):
            assert links.find(DataRequest.objects.all(), token).row is None
        return hashing.call_count, len(queries)

    assert work(f"{data_request.pk}.{'x' * 32}") == work(f"{data_request.pk + 99}.{'x' * 32}")
    assert work(f"{data_request.pk + 99}.{'x' * 32}") == (1, 1)


def test_a_spent_link_whose_hash_was_blanked_finds_nothing(row):
    data_request, token = row
    DataRequest.objects.filter(pk=data_request.pk).update(token_hash="")
    assert links.find(DataRequest.objects.all(), token).row is None


def test_a_malformed_token_is_not_looked_up(db):
    with CaptureQueriesContext(connection) as queries:
        assert links.find(DataRequest.objects.all(), "12.short") == links.Found()
    assert len(queries) == 0


# Expiry and spending


def test_a_link_works_for_its_lifetime_and_not_a_moment_longer():
    day = timedelta(days=1)
    assert not links.expired(NOW - day, day, NOW)
    assert links.expired(NOW - day - timedelta(seconds=1), day, NOW)
    assert not links.expired(NOW, day, NOW)


def test_a_link_with_no_time_of_issue_is_expired():
    assert links.expired(None, timedelta(days=365), NOW)


def test_a_link_is_spent_once_however_often_it_is_pressed(row):
    data_request, _token = row
    unused = DataRequest.objects.filter(pk=data_request.pk, used_at__isnull=True)
    assert links.use_once(unused, used_at=NOW) is True
    assert links.use_once(unused, used_at=NOW) is False
    assert DataRequest.objects.get(pk=data_request.pk).used_at == NOW


def test_spending_a_row_that_is_gone_changes_nothing(db):
    assert links.use_once(DataRequest.objects.filter(pk=12345), used_at=NOW) is False


# Errors and pages


def test_each_error_names_its_page_and_carries_what_the_flow_knows():
    assert links.Malformed().kind == "malformed" and links.Malformed().about is None
    assert links.Expired("the row").kind == "expired"
    used = links.Used("the row")
    assert used.kind == "used" and used.about == "the row"
    assert isinstance(used, links.LinkError)


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("malformed", 404, "This link is not complete"),
        ("expired", 410, "This link has expired"),
        ("used", 410, "This link has been used"),
    ],
)
def test_each_kind_has_its_status_and_a_title_a_flow_need_not_repeat(db, kind, status, title):
    got, html = answer(kind)
    assert got == status
    assert f"<title>{title} ·" in html and f"<h1>{title}</h1>" in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_malformed_page_always_says_what_may_have_gone_wrong(db):
    _status, html = answer("malformed", title="This invitation link does not work")
    assert "It may have been cut short when it was copied" in html
    assert "It may have been cut short" not in answer("expired")[1]


def test_a_flow_s_own_title_and_paragraphs_are_shown_and_escaped_unless_marked_safe(db):
    _status, html = answer(
        "used", title="Your signature is already confirmed",
        text=["Plain <b>text</b>", mark_safe("You are <strong>signed in</strong>.")],
    )  # fmt: skip
    assert "<h1>Your signature is already confirmed</h1>" in html
    assert "<p>Plain &lt;b&gt;text&lt;/b&gt;</p>" in html
    assert "<p>You are <strong>signed in</strong>.</p>" in html


def test_the_offer_is_a_link_a_button_or_a_form_that_posts(db):
    link = links.Offer("See the petition", "/petitions/1", style="link")
    assert '<p><a href="/petitions/1">See the petition</a></p>' in answer("used", offer=link)[1]
    button = links.Offer("Ask again", "/sign-in/", style="button")
    assert '<a class="button" href="/sign-in/">Ask again</a>' in answer("used", offer=button)[1]
    main = links.Offer("Go to your petitions", "/accounts/dashboard/")
    html = answer("used", offer=main)[1]
    assert '<a class="button button-primary" href="/accounts/dashboard/">' in html
    post = links.Offer("Send me a new link", "/confirm/1.x/resend", post=True)
    html = answer("expired", offer=post)[1]
    assert '<form method="post" action="/confirm/1.x/resend">' in html
    assert '<button class="button button-primary" type="submit">Send me a new link' in html


def test_the_offer_may_be_the_flow_s_own_form(db):
    from undersigned.accounts.forms import SignInForm

    form = SignInForm(initial={"email": "lena@example.org"})
    offer = links.Offer("Send me a new link", template="accounts/_sign_in_form.html", form=form)
    html = answer("expired", offer=offer)[1]
    assert 'value="lena@example.org"' in html and "csrfmiddlewaretoken" in html
    assert ">Send me a new link</button>" in html


def test_a_petition_is_named_only_when_the_flow_gives_it(petition):
    assert petition.title not in answer("used")[1]
    html = answer("used", petition=petition)[1]
    assert f'<a href="{petition.get_absolute_url()}">{petition.title}</a>' in html


def test_it_imports_no_app():
    tree = ast.parse(inspect.getsource(links))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert all(not name.startswith("undersigned") for name in imported), imported
