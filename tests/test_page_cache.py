"""Crowds reading a petition get stored bytes: public, cacheable, no cookie, no session."""

from __future__ import annotations

import pytest
from django.urls import reverse
from support import SIGNER

from undersigned.signatures.models import Signature


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    """On, and each copy kept for a whole period: a copy stored just before a 2-s period
    ended expired at once and made a request expected from the cache render again."""


@pytest.mark.parametrize("name", ["petitions:detail", "petitions:detail_json"])
def test_an_anonymous_visitor_gets_a_public_cacheable_page_without_cookies(client, petition, name):
    # The page at its readable address (the bare id redirects there: tests/test_slugs.py).
    detail = name == "petitions:detail"
    response = client.get(
        petition.get_absolute_url() if detail else reverse(name, args=[petition.pk])
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=2")
    assert "stale-while-revalidate" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    # One copy per language choice (its cookie); visitors without cookies share one.
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert not response.cookies


def test_a_visitor_who_chose_a_language_gets_the_cached_copy_in_that_language(
    client, petition, settings
):
    settings.PAGE_CACHE_SECONDS = 2
    url = petition.get_absolute_url()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in english.content.decode() and 'lang="fr"' in french.content.decode()
    assert french["Cache-Control"].startswith("public")
    assert again.content == french.content and again["ETag"] == french["ETag"]


def test_the_home_page_is_public_too(client, petition):
    response = client.get("/")
    assert response["Cache-Control"].startswith("public") and not response.cookies


def test_a_second_request_is_served_from_the_cache_and_a_matching_etag_gets_304(
    client, petition, django_assert_num_queries
):
    first = client.get(petition.get_absolute_url())
    with django_assert_num_queries(0):
        second = client.get(petition.get_absolute_url())
    assert second.content == first.content
    not_modified = client.get(petition.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_the_json_is_open_to_other_sites(client, petition):
    response = client.get(reverse("petitions:detail_json", args=[petition.pk]))
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_signed_in_organizer_gets_a_private_page(client, petition, organizer):
    client.force_login(organizer)
    response = client.get(petition.get_absolute_url())
    assert "public" not in response.get("Cache-Control", "")
    assert b"Close this petition" in response.content  # their own controls, never cached


def test_signing_works_without_a_session_or_csrf_cookie(client, petition):
    page = client.get(petition.get_absolute_url())
    assert "csrftoken" not in page.cookies and "sessionid" not in page.cookies
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), SIGNER, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 303 and Signature.objects.count() == 1


def test_the_cached_page_differs_by_the_country_the_browser_suggests(client, petition):
    armenian = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="hy-AM")
    french = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert b'value="AM" selected' in armenian.content
    assert b'value="FR" selected' in french.content


@pytest.mark.parametrize("path", ["/", "/petitions/", "/no/such/page"])
def test_every_page_sends_security_headers(client, petition, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_500_page_is_ours_and_sends_security_headers(petition, monkeypatch):
    from django.test import Client

    from undersigned.petitions import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "petition_page", broken)
    response = Client(raise_request_exception=False).get(petition.get_absolute_url())
    assert response.status_code == 500 and b"something went wrong" in response.content
    assert b"Traceback" not in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.cookies
