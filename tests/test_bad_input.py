"""Bad input gets a clear 4xx page of our own, never a 500 or a traceback."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from support import SIGNER

from undersigned.signatures.models import Signature


def test_an_unknown_petition_is_a_404_page_of_our_own(client, db):
    response = client.get("/petitions/999999")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"<html" in response.content


def test_an_unknown_petition_json_is_a_404(client, db):
    assert client.get("/petitions/999999.json").status_code == 404


def test_a_wrong_method_gets_a_405_page(client, petition):
    response = client.delete(petition.get_absolute_url())
    assert response.status_code == 405
    assert b"not available on this page" in response.content
    assert "GET" in response["Allow"]
    assert client.get(reverse("signatures:sign", args=[petition.pk])).status_code == 405


def test_an_oversized_body_gets_a_413_page(client, petition, settings):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "comment": big}
    )
    assert response.status_code == 413 and b"too large" in response.content
    assert not Signature.objects.exists()


def test_invalid_utf8_in_a_form_is_an_error_not_a_crash(client, petition):
    body = b"name=%FF%FE&email=a%40example.org&country=AM"
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]),
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in {303, 400}


def test_invalid_utf8_in_the_query_string_is_not_a_crash(client, db):
    response = client.get("/petitions/?q=%FF%FE")
    assert response.status_code == 200


def test_a_page_number_that_is_not_a_number_is_not_a_crash(client, db):
    assert client.get("/petitions/?page=abc").status_code == 200


def test_a_huge_token_is_a_404(client, db):
    assert client.get(reverse("signatures:confirm", args=["9" * 400 + ".x"])).status_code == 404


def test_a_tampered_withdraw_link_is_a_404(client, db):
    assert client.get(reverse("signatures:withdraw", args=["abc:def"])).status_code == 404


def test_a_tampered_thanks_link_is_a_404(client, db):
    assert client.get(reverse("signatures:thanks", args=["abc:def"])).status_code == 404


def test_a_failed_csrf_check_gets_our_403_page(db, organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 403 and b"<html" in response.content


def test_an_error_page_never_shows_a_traceback(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page")
    assert b"Traceback" not in response.content


def test_a_nul_byte_in_the_query_string_is_a_400_page(client, db):
    assert client.get("/petitions/?q=a%00b").status_code == 400


def test_a_nul_byte_under_the_api_is_a_json_400(client, db):
    response = client.get("/api/v1/petitions?q=%00")
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
