"""The cookies a signer gets hold nothing personal, and are Secure on an https site
(issue #20)."""

from __future__ import annotations

import runpy
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import reverse
from support import SIGNER

from undersigned.signatures import cookie

SETTINGS = Path(__file__).resolve().parent.parent / "undersigned" / "settings.py"
ADDRESS = "anahit.karapetyan@example.am"
COOKIE_SETTINGS = [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_SAMESITE", "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SAMESITE", "LANGUAGE_COOKIE_HTTPONLY",
]  # fmt: skip


def sign(client, petition, email=ADDRESS):
    return client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": email})


@pytest.fixture
def https_site(settings, monkeypatch, tmp_path):
    """The cookie settings settings.py makes for an https SITE_URL, applied to this test."""
    monkeypatch.setenv("SITE_URL", "https://petitions.example.org")
    monkeypatch.setenv("ALLOWED_HOSTS", "petitions.example.org,testserver")
    monkeypatch.setenv("SECRET_KEY", "s" * 50)
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    made = runpy.run_path(str(SETTINGS))
    for name in COOKIE_SETTINGS:
        setattr(settings, name, made[name])
    return made


def test_after_signing_no_cookie_holds_the_address(client, petition):
    response = sign(client, petition)
    assert response.status_code == 303 and response.cookies
    local_part = ADDRESS.partition("@")[0]
    for name, morsel in [*response.cookies.items(), *client.cookies.items()]:
        for value in [morsel.value, unquote(morsel.value)]:
            assert local_part not in value.lower() and "karapetyan" not in value.lower(), name
            assert "example.am" not in value.lower(), name


def test_the_address_is_still_echoed_on_the_next_page_only_to_that_browser(client, petition):
    page = client.get(sign(client, petition)["Location"])
    assert ADDRESS in page.content.decode()
    # One character changed in the middle, where each carries six bits of the sealed box:
    # the last ones may carry bits the decoder drops, or already be the replacement.
    value = client.cookies["signed_as"].value
    middle = len(value) // 2
    changed = "A" if value[middle] != "A" else "B"
    client.cookies["signed_as"] = value[:middle] + changed + value[middle + 1 :]
    page = client.get(reverse("signatures:signed", args=[petition.pk]))
    assert page.status_code == 200 and ADDRESS not in page.content.decode()


def test_an_https_site_makes_every_cookie_secure(https_site):
    assert https_site["SESSION_COOKIE_SECURE"] is True
    assert https_site["LANGUAGE_COOKIE_SECURE"] is True
    assert https_site["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    assert https_site["LANGUAGE_COOKIE_HTTPONLY"] is True


def test_on_an_https_site_the_signed_as_cookie_is_secure_and_lax(https_site, client, petition):
    morsel = sign(client, petition).cookies["signed_as"]
    assert morsel["secure"] is True and morsel["samesite"] == "Lax" and morsel["httponly"]


def test_on_an_https_site_the_language_cookie_is_secure_and_lax(https_site, client, settings):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    morsel = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert morsel.value == "fr"
    assert morsel["secure"] is True and morsel["samesite"] == "Lax" and morsel["httponly"]


def test_a_signer_still_gets_the_shared_copy_of_public_pages(client, petition, settings):
    """The cookie personalises one page only, which is never cached, so it does not make
    the signer's public pages private (lib/http.PRIVATE_COOKIES)."""
    settings.PAGE_CACHE_SECONDS = 60
    sign(client, petition)
    assert "signed_as" in client.cookies
    for _reader in range(2):
        page = client.get(petition.get_absolute_url())
        assert page["Cache-Control"].startswith("public") and not page.cookies


@pytest.mark.parametrize("value", ["", "abc", "é-not-ours", "A" * 400, "anahit@example.am"])
def test_a_cookie_that_is_not_ours_echoes_nothing(client, petition, value):
    client.cookies["signed_as"] = value
    page = client.get(reverse("signatures:signed", args=[petition.pk]))
    assert page.status_code == 200 and "@" not in page.content.decode().split("<main")[1]


def test_the_echo_ends_after_an_hour(client, petition, monkeypatch):
    sign(client, petition)
    monkeypatch.setattr(cookie, "SECONDS", 0)  # as if the hour were over
    page = client.get(reverse("signatures:signed", args=[petition.pk]))
    assert ADDRESS not in page.content.decode()
