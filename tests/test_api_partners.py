"""Partners sign through the API under the form's rules, and learn only their own answers."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition
from test_api_public import signed

from undersigned.api.models import ApiKey, PartnerSubmission
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature

API = "/api/v1"


@pytest.fixture
def partner_key(petition) -> tuple[ApiKey, str]:
    """A key for the `petition` fixture only."""
    key = ApiKey(name="Friends of the Library", rate_limit=100)
    raw = key.new_secret()
    key.save()
    key.petitions.add(petition)
    return key, raw


def post(client, petition, raw: str, **fields):
    body = {**SIGNER, "reference": "crm-1", **fields}
    return client.post(
        f"{API}/petitions/{petition.pk}/signatures",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def get(client, path: str, raw: str, **query):
    return client.get(API + path, query, headers={"Authorization": f"Bearer {raw}"})


def test_a_partner_signature_follows_the_form_and_gets_the_confirmation_mail(
    client, petition, partner_key, run_tasks
):
    response = post(client, petition, partner_key[1])
    assert response.status_code == 202
    assert response.json()["reference"] == "crm-1" and response.json()["confirmed"] is False
    signature = Signature.objects.get()
    assert (signature.email, signature.confirmed_at) == (SIGNER["email"], None)
    assert signature.source == "api:Friends of the Library"
    assert PartnerSubmission.objects.get().signature == signature
    assert mail.outbox == []  # queued, not sent in the request
    run_tasks()
    assert mail.outbox[0].to == [SIGNER["email"]]


def test_the_status_turns_confirmed_once_the_signer_confirms(
    client, petition, partner_key, run_tasks
):
    post(client, petition, partner_key[1])
    status = get(
        client, f"/petitions/{petition.pk}/signatures/status", partner_key[1], reference="crm-1"
    )
    assert status.json()["confirmed"] is False
    run_tasks()
    client.post(link_in_last_mail("confirm"))
    status = get(
        client, f"/petitions/{petition.pk}/signatures/status", partner_key[1], reference="crm-1"
    )
    assert status.status_code == 200
    assert set(status.json()) == {"reference", "petition_id", "confirmed", "submitted_at"}
    assert status.json()["confirmed"] is True


def test_invalid_data_gets_the_forms_own_messages_by_field(client, petition, partner_key):
    response = post(client, petition, partner_key[1], name="A", email="nope", country="XX")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["name"] == ["Enter your full name, for example Anahit Karapetyan."]
    assert "right format" in error["fields"]["email"][0]
    assert set(error["fields"]) == {"name", "email", "country"}
    assert not Signature.objects.exists()


def test_missing_fields_and_a_bad_body_are_400s_with_field_errors(client, petition, partner_key):
    response = client.post(
        f"{API}/petitions/{petition.pk}/signatures",
        json.dumps({"reference": "has space"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {partner_key[1]}"},
    )
    fields = response.json()["error"]["fields"]
    assert response.status_code == 400
    assert fields["country"] == ["Choose the country you live in."]  # the form's words
    assert "printable" in fields["reference"][0]
    garbage = client.post(
        f"{API}/petitions/{petition.pk}/signatures",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {partner_key[1]}"},
    )
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid"


def test_the_same_reference_again_answers_the_same_and_signs_once(client, petition, partner_key):
    first = post(client, petition, partner_key[1])
    again = post(client, petition, partner_key[1])
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Signature.objects.count() == 1 and PartnerSubmission.objects.count() == 1


def test_an_address_that_already_signed_answers_the_same_without_telling(
    client, petition, partner_key
):
    signed(petition, SIGNER["email"])  # signed and confirmed on the site before
    response = post(client, petition, partner_key[1], reference="crm-2")
    assert response.status_code == 202 and response.json()["confirmed"] is False
    assert Signature.objects.count() == 1
    status = get(
        client, f"/petitions/{petition.pk}/signatures/status", partner_key[1], reference="crm-2"
    )
    assert status.json()["confirmed"] is False  # a partner cannot probe who signed


def test_a_closed_petition_is_a_409(client, organizer, moderator, partner_key):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    partner_key[0].petitions.add(closed)
    response = post(client, closed, partner_key[1])
    assert response.status_code == 409 and response.json()["error"]["code"] == "closed"


def test_a_reference_used_for_another_petition_is_a_409(client, petition, partner_key):
    other = make_petition(petition.creator, title="Another one")
    partner_key[0].petitions.add(other)
    post(client, petition, partner_key[1])
    response = post(client, other, partner_key[1], email="other@example.org")
    assert response.status_code == 409 and response.json()["error"]["code"] == "reference_used"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer usk_00000000.nothing", "Basic abc"])
def test_a_missing_or_wrong_key_is_a_401(client, petition, header):
    headers = {"Authorization": header} if header else {}
    response = client.post(
        f"{API}/petitions/{petition.pk}/signatures",
        json.dumps({**SIGNER, "reference": "r"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_key_is_a_401(client, petition, partner_key):
    ApiKey.objects.update(revoked_at=timezone.now())
    assert post(client, petition, partner_key[1]).status_code == 401


def test_a_petition_outside_the_keys_scope_is_a_403(client, petition, partner_key):
    other = make_petition(petition.creator, title="Not this key's")
    response = post(client, other, partner_key[1])
    assert response.status_code == 403 and response.json()["error"]["code"] == "out_of_scope"
    assert get(client, f"/petitions/{other.pk}/signatures", partner_key[1]).status_code == 403


def test_a_key_for_all_petitions_may_sign_any(client, petition):
    key = ApiKey(name="Everywhere", all_petitions=True)
    raw = key.new_secret()
    key.save()
    assert post(client, petition, raw).status_code == 202


def test_the_rate_limit_answers_429_with_retry_after(client, petition, partner_key):
    ApiKey.objects.update(rate_limit=2)
    assert post(client, petition, partner_key[1]).status_code == 202
    assert post(client, petition, partner_key[1]).status_code == 202
    refused = post(client, petition, partner_key[1])
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_rate_limit_starts_again_each_minute(client, petition, partner_key, monkeypatch):
    ApiKey.objects.update(rate_limit=1)
    minute = [600.0]
    monkeypatch.setattr("undersigned.lib.ratelimit.time.time", lambda: minute[0])
    monkeypatch.setattr("undersigned.api.auth.time.time", lambda: minute[0])
    assert post(client, petition, partner_key[1]).status_code == 202
    assert post(client, petition, partner_key[1]).status_code == 429
    minute[0] += 60
    assert post(client, petition, partner_key[1]).status_code == 202


def test_the_feed_lists_only_this_keys_submissions_by_cursor(client, petition, partner_key):
    other = ApiKey(name="Someone else", all_petitions=True)
    other_raw = other.new_secret()
    other.save()
    for i in range(3):
        post(client, petition, partner_key[1], reference=f"ref-{i}", email=f"p{i}@example.org")
    post(client, petition, other_raw, reference="theirs", email="x@example.org")
    first = get(client, f"/petitions/{petition.pk}/signatures", partner_key[1], limit=2).json()
    rest = get(
        client, f"/petitions/{petition.pk}/signatures", partner_key[1], cursor=first["next_cursor"]
    ).json()
    assert [s["reference"] for s in first["items"] + rest["items"]] == ["ref-0", "ref-1", "ref-2"]
    assert rest["next_cursor"] is None
    body = json.dumps(first) + json.dumps(rest)
    assert "example.org" not in body and "Anahit" not in body


def test_an_unknown_reference_is_a_404(client, petition, partner_key):
    response = get(
        client,
        f"/petitions/{petition.pk}/signatures/status",
        partner_key[1],
        reference="never-sent",
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_command_prints_a_working_key_once(capsys, petition):
    call_command("create_api_key", "Partner", "--petition", str(petition.pk))
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get()
    assert ApiKey.objects.find(raw) == key
    assert raw not in key.key_hash and key.prefix in raw
    assert list(key.petitions.all()) == [petition] and not key.all_petitions


def test_staff_make_a_key_in_the_admin_and_see_it_once(client, moderator, petition):
    moderator.is_superuser = True
    moderator.save()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:api_apikey_add"),
        {"name": "Partner", "petitions": [petition.pk], "rate_limit": 30},
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    raw = response.context["raw"]
    assert raw in response.content.decode() and ApiKey.objects.find(raw) == key
    assert key.created_by == moderator
    page = client.get(reverse("admin:api_apikey_change", args=[key.pk])).content.decode()
    assert raw not in page
    client.post(
        reverse("admin:api_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert ApiKey.objects.find(raw) is None
