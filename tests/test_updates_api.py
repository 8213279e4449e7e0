"""The public API's list of a petition's updates."""

from __future__ import annotations

import pytest
from support import make_petition

from undersigned.petitions.models import Petition
from undersigned.updates import actions
from undersigned.updates.models import Update

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_it_lists_updates_newest_first_by_cursor(client, petition):
    for n in range(3):
        actions.post_update(petition, title=f"News {n}", text=f"*Text* {n}")
    target = petition.targets.first()
    actions.post_update(petition, kind=Update.Kind.RESPONSE, title="Our answer", text="Yes.",
                        target=target)  # fmt: skip
    first = client.get(f"{API}/petitions/{petition.pk}/updates?limit=2")
    assert first.status_code == 200 and first["Access-Control-Allow-Origin"] == "*"
    body = first.json()
    assert [u["title"] for u in body["items"]] == ["Our answer", "News 2"]
    assert body["items"][0]["kind"] == "response"
    assert body["items"][0]["target"] == {"name": "City Council", "role": "Riverside"}
    assert body["items"][1]["target"] is None
    assert body["items"][1]["text_html"] == "<p><em>Text</em> 2</p>\n"
    rest = client.get(f"{API}/petitions/{petition.pk}/updates?limit=2&cursor={body['next_cursor']}")
    assert [u["title"] for u in rest.json()["items"]] == ["News 1", "News 0"]
    assert rest.json()["next_cursor"] is None


def test_it_never_shows_how_an_update_was_emailed(client, petition):
    actions.post_update(petition, title="News", text="Text", email=True)
    item = client.get(f"{API}/petitions/{petition.pk}/updates").json()["items"][0]
    assert set(item) == {
        "id", "kind", "title", "text", "text_html", "target", "created_at",
        "answered_from", "address_checked",  # null but for a response
    }  # fmt: skip
    assert item["answered_from"] is None and item["address_checked"] is None


def test_unknown_or_unlisted_petitions_and_bad_cursors_get_the_error_shape(
    client, organizer, moderator
):
    draft = make_petition(organizer, moderator, state=Petition.State.DRAFT)
    for path in [f"/petitions/{draft.pk}/updates", "/petitions/999999/updates"]:
        response = client.get(API + path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    bad = client.get(f"{API}/petitions/{draft.pk}/updates?cursor=forged")
    assert bad.status_code in {400, 404}


def test_the_schema_lists_the_endpoint(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert "/api/v1/petitions/{id}/updates" in schema["paths"]


@pytest.mark.parametrize(
    "query",
    ["/petitions/0/updates", "/petitions/99999999999999999999/updates",
     "/petitions/1/updates?limit=0", "/petitions/1/updates?limit=101",
     "/petitions/1/updates?cursor=" + "x" * 501],
)  # fmt: skip
def test_bad_parameters_are_4xx_with_the_error_shape(client, petition, query):
    response = client.get(API + query)
    assert response.status_code in {400, 404}, query
    assert "error" in response.json()
