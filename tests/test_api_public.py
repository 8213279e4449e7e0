"""The public API: petitions by filter and cursor, counts, public signers, one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from support import make_petition

from undersigned.petitions.models import Petition
from undersigned.signatures import actions
from undersigned.signatures.models import Signature

API = "/api/v1"


def signed(
    petition,
    email: str,
    *,
    name: str = "Anahit Karapetyan",
    country: str = "AM",
    public: bool = True,
    comment: str = "",
    confirm: bool = True,
    when=None,
) -> Signature:
    """A signature through the real actions, confirmed (at `when`) unless told not to."""
    request = actions.SignRequest(
        name=name, email=email, country=country, postcode="0010", comment=comment, public=public
    )
    signature = actions.sign_petition(petition, request)
    if confirm:
        now = when or timezone.now()
        secret = signature.new_token(now).partition(".")[2]
        Signature.objects.filter(pk=signature.pk).update(
            token_hash=signature.token_hash, token_created_at=now
        )
        actions.confirm_signature(signature, secret, now)
    return signature


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def several(organizer, moderator) -> list[Petition]:
    """Four petitions: three open (one in French, for the Mayor), one closed."""
    made = [
        make_petition(organizer, moderator, title="Keep the library open on Sundays"),
        make_petition(
            organizer,
            moderator,
            title="Plant trees on Main Street",
            language="fr",
            targets=[{"name": "The Mayor", "role": "Riverside"}],
        ),
        make_petition(organizer, moderator, title="Fix the bridge"),
        make_petition(organizer, moderator, title="Save the pool", state=Petition.State.CLOSED),
    ]
    make_petition(organizer, moderator, title="A draft nobody sees", state=Petition.State.DRAFT)
    for count, petition in zip([5, 50, 500, 7], made, strict=True):
        Petition.objects.filter(pk=petition.pk).update(signature_count=count)
    return made


def test_it_lists_open_and_closed_petitions_newest_first(client, several):
    response = client.get(f"{API}/petitions")
    assert response.status_code == 200
    assert ids(response) == [p.pk for p in reversed(several)]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"].startswith("public, max-age=")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=closed", [3]),
        ("state=open&sort=most_signed", [2, 1, 0]),
        ("language=fr", [1]),
        ("target=mayor", [1]),
        ("min_count=10&max_count=500&sort=most_signed", [2, 1]),
        ("q=bridge", [2]),
    ],
)
def test_it_filters_petitions(client, several, query, expected):
    assert ids(client.get(f"{API}/petitions?{query}")) == [several[i].pk for i in expected]


def test_it_filters_by_creation_date(client, several):
    Petition.objects.filter(pk=several[0].pk).update(created_at=timezone.now() - timedelta(days=9))
    week_ago = (timezone.now() - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    assert ids(client.get(f"{API}/petitions", {"created_before": week_ago})) == [several[0].pk]
    assert several[0].pk not in ids(client.get(f"{API}/petitions", {"created_after": week_ago}))


def test_the_cursor_pages_through_without_repeats_when_petitions_open_meanwhile(
    client, several, organizer, moderator
):
    first = client.get(f"{API}/petitions?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    make_petition(organizer, moderator, title="Opened while the client was paging")
    second = client.get(f"{API}/petitions", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    seen = [p["id"] for p in first["items"] + second["items"]]
    assert seen == [p.pk for p in reversed(several)]


def test_a_tampered_cursor_or_a_page_too_large_is_a_400_in_the_error_shape(client, several):
    for query in ["cursor=forged", "limit=101", "limit=0", "min_count=-1", "sort=random"]:
        response = client.get(f"{API}/petitions?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["code"] in {"invalid", "bad_cursor"}


def test_a_petition_comes_with_counts_by_country_and_by_day(client, petition):
    yesterday = timezone.now() - timedelta(days=1)
    signed(petition, "a@example.org", country="AM", when=yesterday)
    signed(petition, "b@example.org", country="AM")
    signed(petition, "c@example.org", country="FR")
    signed(petition, "d@example.org", country="FR", confirm=False)  # not counted
    data = client.get(f"{API}/petitions/{petition.pk}").json()
    assert data["signature_count"] == 3 and data["goal"] == petition.goal
    counts = data["counts"]
    assert counts["total"] == 3
    assert counts["by_country"] == [{"country": "AM", "count": 2}, {"country": "FR", "count": 1}]
    assert [day["count"] for day in counts["by_day"]] == [1, 2]
    assert [t["name"] for t in data["targets"]] == ["City Council"]


def test_the_aggregates_are_cached_for_a_minute(client, petition):
    signed(petition, "a@example.org")
    client.get(f"{API}/petitions/{petition.pk}")
    signed(petition, "b@example.org")
    data = client.get(f"{API}/petitions/{petition.pk}").json()
    assert data["signature_count"] == 2  # live
    assert data["counts"]["total"] == 1  # from the cache


def test_drafts_and_unknown_petitions_are_404_in_the_error_shape(client, organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    for path in [f"/petitions/{draft.pk}", "/petitions/999999", f"/petitions/{draft.pk}/signers"]:
        response = client.get(API + path)
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": response.json()["error"]["message"]}
        }


def test_public_signers_show_first_name_and_initial_and_nothing_private(client, petition):
    signed(
        petition,
        "canary-mail@example.org",
        name="Canary Quetzalcoatl Birdsong",
        comment="Libraries matter.",
    )
    signed(petition, "hidden@example.org", name="Hidden Person", public=False)
    signed(petition, "unconfirmed@example.org", name="Pending Person", confirm=False)
    response = client.get(f"{API}/petitions/{petition.pk}/signers")
    assert response.json()["items"] == [
        {
            "name": "Canary B.",
            "country": "AM",
            "comment": "Libraries matter.",
            "confirmed_at": response.json()["items"][0]["confirmed_at"],
        }
    ]
    everything = b"".join(
        client.get(f"{API}{path}").content
        for path in [
            f"/petitions/{petition.pk}/signers",
            f"/petitions/{petition.pk}",
            "/petitions",
            "/openapi.json",
        ]
    )
    for private in [b"canary-mail", b"Quetzalcoatl", b"Birdsong", b"0010", b"Hidden", b"Pending"]:
        assert private not in everything


def test_public_signers_page_by_cursor_newest_first(client, petition):
    now = timezone.now()
    for i in range(5):
        signed(petition, f"s{i}@example.org", name=f"Signer{i} Person", when=now + timedelta(i))
    first = client.get(f"{API}/petitions/{petition.pk}/signers?limit=3").json()
    rest = client.get(
        f"{API}/petitions/{petition.pk}/signers", {"cursor": first["next_cursor"]}
    ).json()
    names = [s["name"] for s in first["items"] + rest["items"]]
    assert names == [f"Signer{i} P." for i in reversed(range(5))]


def test_a_cursor_from_another_list_is_refused(client, petition, several):
    first = client.get(f"{API}/petitions?limit=1").json()
    response = client.get(
        f"{API}/petitions/{petition.pk}/signers", {"cursor": first["next_cursor"]}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_cursor"


@pytest.mark.parametrize("path", ["/v1/nothing", "/v1/petitions/1/nothing", "/v2/petitions"])
def test_unknown_addresses_under_api_are_json_404s(client, path):
    response = client.get(f"/api{path}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_the_api_root_points_to_its_parts(client):
    links = client.get("/api/").json()
    assert links["v1"].endswith("/api/v1/") and links["docs"].endswith("/api/v1/docs")


def test_a_wrong_method_is_a_json_405_with_allow(client, petition):
    response = client.delete(f"{API}/petitions/{petition.pk}")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_huge_ids_odd_dates_and_nul_bytes_are_4xx_not_500(client, petition):
    for path in [
        f"/petitions/{2**70}",
        "/petitions?q=a%00b",
        "/petitions?target=%00",
        "/petitions?created_after=9999-12-31T23:59:59-23:59",
        "/petitions?created_before=0001-01-01T00:00:00%2B23:59",
    ]:
        assert client.get(API + path).status_code in {400, 404}, path


def test_head_answers_like_get(client, petition):
    response = client.head(f"{API}/petitions/{petition.pk}")
    assert response.status_code == 200 and response.content == b""


def test_the_schema_and_the_docs_are_served_from_this_site(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert "/api/v1/petitions/{id}/signatures" in schema["paths"]
    page = client.get(f"{API}/docs").content.decode()
    assert "swagger-ui-bundle.js" in page and "/static/" in page
    for source in ['src="http', 'href="http', "cdn", "unpkg", "jsdelivr"]:
        assert source not in page


def test_a_database_outage_is_a_json_503_and_a_bug_a_json_500(client, petition, monkeypatch):
    def down(petition):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr("undersigned.api.public.count_for", down)
    response = client.get(f"{API}/petitions/{petition.pk}")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["error"]["code"] == "unavailable"
    monkeypatch.setattr("undersigned.api.public.count_for", lambda petition: 1 / 0)
    response = client.get(f"{API}/petitions/{petition.pk}")
    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"
