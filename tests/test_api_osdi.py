"""The OSDI view: HAL+JSON petitions and public signatures, nothing private."""

from __future__ import annotations

from support import make_petition
from test_api_public import signed

from undersigned.petitions.models import Petition

OSDI = "/api/osdi/v1"


def test_the_entry_point_links_to_petitions(client):
    response = client.get(f"{OSDI}/")
    assert response["Content-Type"] == "application/hal+json"
    links = response.json()["_links"]
    assert links["osdi:petitions"]["href"] == f"http://testserver{OSDI}/petitions"
    assert links["curies"][0]["name"] == "osdi"


def test_petitions_are_a_paged_hal_collection(client, organizer, moderator):
    made = [make_petition(organizer, moderator, title=f"Petition {i}") for i in range(3)]
    make_petition(organizer, moderator, state=Petition.State.DRAFT)
    data = client.get(f"{OSDI}/petitions?per_page=2").json()
    assert (data["total_records"], data["total_pages"], data["page"]) == (3, 2, 1)
    embedded = data["_embedded"]["osdi:petitions"]
    assert [p["identifiers"] for p in embedded] == [
        [f"undersigned:{made[2].pk}"],
        [f"undersigned:{made[1].pk}"],
    ]
    assert data["_links"]["next"]["href"].endswith("page=2&per_page=2")
    last = client.get(data["_links"]["next"]["href"]).json()
    assert len(last["_embedded"]["osdi:petitions"]) == 1 and "next" not in last["_links"]


def test_a_petition_has_the_osdi_fields_and_links(client, petition):
    signed(petition, "a@example.org")
    data = client.get(f"{OSDI}/petitions/{petition.pk}").json()
    assert data["title"] == petition.title and data["total_signatures"] == 1
    assert data["target"] == [{"name": "City Council, Riverside"}]
    assert data["browser_url"] == petition.absolute_url()
    assert data["_links"]["osdi:signatures"]["href"].endswith(
        f"/petitions/{petition.pk}/signatures"
    )


def test_signatures_list_only_public_fields_of_public_signers(client, petition):
    shown = signed(
        petition, "canary-mail@example.org", name="Canary Quetzal Birdsong", comment="Yes."
    )
    signed(petition, "hidden@example.org", name="Hidden Person", public=False)
    response = client.get(f"{OSDI}/petitions/{petition.pk}/signatures")
    data = response.json()
    assert data["total_records"] == 1
    (signature,) = data["_embedded"]["osdi:signatures"]
    assert signature["comments"] == "Yes."
    assert signature["custom_fields"] == {"public_name": "Canary B.", "country": "AM"}
    one = client.get(signature["_links"]["self"]["href"]).json()
    assert one["identifiers"] == signature["identifiers"]  # opaque: not the row's id
    assert one["identifiers"] != [f"undersigned:{shown.pk}"]
    for private in [b"canary-mail", b"Quetzal", b"Birdsong", b"0010", b"Hidden"]:
        assert private not in response.content


def test_errors_have_the_apis_shape(client, organizer, petition):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    for path, status in [
        (f"/petitions/{draft.pk}", 404),
        (f"/petitions/{draft.pk}/signatures", 404),
        (f"/petitions/{petition.pk}/signatures/{2**70}", 404),
        (f"/petitions/{2**70}", 404),
        ("/petitions?page=0", 400),
        ("/petitions?per_page=1000", 400),
        ("/people", 404),
    ]:
        response = client.get(OSDI + path)
        assert response.status_code == status, path
        assert response.json()["error"]["code"] in {"not_found", "invalid"}
    posted = client.post(f"{OSDI}/petitions")
    assert posted.status_code == 405 and posted.json()["error"]["code"] == "method_not_allowed"
