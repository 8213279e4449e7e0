"""A method the view does not take is a 405 with Allow, answered before the CSRF check."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from support import SIGNER

from undersigned.lib.methods import require_GET, require_http_methods, require_POST, require_safe
from undersigned.signatures.models import Signature

GET_ONLY_PAGES = [
    ("petitions:home", False),
    ("petitions:list", False),
    ("petitions:detail", True),
    ("transparency:log", True),
    ("privacy:policy", False),
]


def browser() -> Client:
    """A client that, like a browser with no token, is held to the CSRF check."""
    return Client(enforce_csrf_checks=True)


def address(name: str, takes_pk: bool, petition) -> str:
    return reverse(name, args=[petition.pk] if takes_pk else [])


def assert_our_405(response, allow: str) -> None:
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert b"<html" in response.content and b"not available on this page" in response.content


@pytest.mark.parametrize(("name", "takes_pk"), GET_ONLY_PAGES)
def test_a_post_to_a_get_only_page_is_a_405_page_not_a_csrf_403(name, takes_pk, petition):
    assert_our_405(browser().post(address(name, takes_pk, petition)), "GET, HEAD")


def test_a_signed_in_post_to_a_get_only_page_is_a_405(organizer, petition):
    client = browser()
    client.force_login(organizer)
    for url in [reverse("accounts:dashboard"), reverse("dashboard:petition", args=[petition.pk])]:
        assert_our_405(client.post(url), "GET, HEAD")


def test_a_cross_site_post_to_the_sign_view_is_still_refused(petition):
    url = reverse("signatures:sign", args=[petition.pk])
    response = browser().post(url, SIGNER, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_a_post_without_a_csrf_token_to_a_view_that_takes_posts_is_still_a_403(organizer):
    client = browser()
    client.force_login(organizer)
    for url in [reverse("accounts:sign_out"), reverse("petitions:new")]:
        response = client.post(url)
        assert response.status_code == 403 and b"<html" in response.content


@pytest.mark.parametrize("method", ["put", "delete"])
def test_put_or_delete_to_a_post_only_view_is_a_405(method, organizer, petition):
    client = browser()
    client.force_login(organizer)
    for url in [
        reverse("signatures:sign", args=[petition.pk]),
        reverse("accounts:sign_out"),
        reverse("petitions:close", args=[petition.pk]),
    ]:
        assert_our_405(getattr(client, method)(url), "POST")
    petition.refresh_from_db()
    assert petition.state == petition.State.OPEN


def test_head_still_works_on_get_only_views(client, petition):
    for url in [
        reverse("petitions:home"),
        petition.get_absolute_url(),
        reverse("pow_challenge"),
        "/api/",
    ]:
        assert client.head(url).status_code == 200, url
    assert client.head(reverse("signatures:sign", args=[petition.pk])).status_code == 405


def test_a_wrong_method_on_the_api_root_is_still_a_json_405(db):
    response = browser().post("/api/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"


def plain_view(request):
    return HttpResponse("ok")


@pytest.mark.parametrize(
    ("decorator", "allowed"),
    [
        (require_GET, {"GET"}),
        (require_POST, {"POST"}),
        (require_safe, {"GET", "HEAD"}),
        (require_http_methods(["GET", "post"]), {"GET", "POST"}),
    ],
)
def test_the_decorators_mark_the_methods_they_allow(decorator, allowed):
    assert decorator(plain_view).allowed_methods == frozenset(allowed)


def test_the_mark_and_csrf_exempt_survive_either_order():
    for view in [csrf_exempt(require_POST(plain_view)), require_POST(csrf_exempt(plain_view))]:
        assert view.csrf_exempt is True
        assert view.allowed_methods == frozenset({"POST"})
        assert view.__name__ == "plain_view"


def test_stacked_method_decorators_allow_only_what_both_allow():
    view = require_http_methods(["GET", "POST"])(require_safe(plain_view))
    assert view.allowed_methods == frozenset({"GET"})


def test_the_decorated_view_answers_405_itself_like_django_does():
    view = require_http_methods(["POST", "GET"])(plain_view)
    response = view(RequestFactory().delete("/"))
    assert response.status_code == 405 and response["Allow"] == "POST, GET"
    assert view(RequestFactory().get("/")).content == b"ok"
