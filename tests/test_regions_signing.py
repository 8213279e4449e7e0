"""A signer's region: found from the postcode, or chosen on the form, and counted exactly."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from support import SIGNER, link_in_last_mail, make_petition, run_queued_tasks

from undersigned.regions.models import Postcode, Region, Scheme
from undersigned.signatures import actions, invalidation
from undersigned.signatures.models import RegionShard, Signature
from undersigned.signatures.regions import region_counts


@pytest.fixture
def wards(db) -> Scheme:
    scheme = Scheme.objects.create(code="wards", name="Wards")
    for code, name in [("N", "North"), ("S", "South")]:
        Region.objects.create(scheme=scheme, code=code, name=name, country="GB")
    Region.objects.create(scheme=scheme, code="Y", name="Yerevan Ward", country="AM")
    Postcode.objects.bulk_create(
        [Postcode(scheme=scheme, postcode="N11AA", region="N"),
         Postcode(scheme=scheme, postcode="S11AA", region="S"),
         Postcode(scheme=scheme, postcode="0010", region="Y")]
    )  # fmt: skip
    return scheme


def sign(petition, email, **fields) -> Client:
    client = Client()
    data = {**SIGNER, "email": email, "country": "GB", "postcode": "", **fields}
    response = client.post(reverse("signatures:sign", args=[petition.pk]), data)
    assert response.status_code == 303, response.content.decode()[:2000]
    return client


def sign_and_confirm(petition, email, **fields) -> Signature:
    client = sign(petition, email, **fields)
    run_queued_tasks()
    assert client.post(link_in_last_mail("confirm")).status_code == 303
    return Signature.objects.get(email=email)


def exact(petition) -> dict[str, int]:
    return region_counts(petition, fresh=True)


def test_the_postcode_finds_the_signers_region(organizer, moderator, wards):
    petition = make_petition(organizer, moderator, region_scheme="wards")
    signature = sign_and_confirm(petition, "north@example.org", postcode="n1 1aa")
    assert signature.region == "N"
    assert exact(petition) == {"N": 1}


def test_a_postcode_of_another_country_or_unknown_gives_no_region(organizer, moderator, wards):
    petition = make_petition(organizer, moderator, region_scheme="wards")
    abroad = sign_and_confirm(petition, "abroad@example.org", postcode="0010", country="FR")
    unknown = sign_and_confirm(petition, "unknown@example.org", postcode="ZZ9 9ZZ")
    assert abroad.region == unknown.region == ""
    assert exact(petition) == {}
    assert actions.count_for(petition) == 2


def test_a_petition_without_a_scheme_stores_no_region(petition, wards):
    signature = sign_and_confirm(petition, "plain@example.org", postcode="N1 1AA")
    assert signature.region == "" and exact(petition) == {}


def test_without_postcodes_the_form_offers_the_countrys_subdivisions(client, organizer, moderator):
    petition = make_petition(organizer, moderator, region_scheme="subdivisions")
    page = client.get(petition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en-AM")
    html = page.content.decode()
    assert 'name="region"' in html and 'value="AM-ER">Erevan</option>' in html
    assert "AM-ER" in html and "FR-75" not in html  # only the preselected country's
    assert "js/regions.js" in html
    signature = sign_and_confirm(petition, "ani@example.org", country="AM", region="AM-ER")
    assert signature.region == "AM-ER"
    assert exact(petition) == {"AM-ER": 1}


def test_a_region_of_another_country_is_refused_with_that_countrys_list(
    client, organizer, moderator
):
    """Without script the list is the country the form was drawn with; a signer who then
    picks another country is asked to choose again, from the new country's regions."""
    petition = make_petition(organizer, moderator, region_scheme="subdivisions")
    data = {**SIGNER, "email": "mixed@example.org", "country": "FR", "region": "AM-ER"}
    response = client.post(reverse("signatures:sign", args=[petition.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose your region again" in html and "France" in html
    assert 'value="AM-ER"' not in html and "Paris</option>" in html
    assert not Signature.objects.exists()


def region_options(html: str) -> str:
    start = html.index('name="region"')
    return html[start : html.index("</select>", start)]


def test_subdivisions_are_named_in_the_readers_language(client, organizer, moderator):
    """pycountry's translations: Bavaria is "Bayern" in English, "Bavière" in French."""
    petition = make_petition(organizer, moderator, region_scheme="subdivisions")
    url = petition.get_absolute_url()
    english = region_options(client.get(url, HTTP_ACCEPT_LANGUAGE="en-DE").content.decode())
    french = region_options(client.get(url, HTTP_ACCEPT_LANGUAGE="fr-DE").content.decode())
    assert 'value="DE-BY"' in english and 'value="DE-BY"' in french
    assert english != french


def test_the_region_is_optional(organizer, moderator):
    petition = make_petition(organizer, moderator, region_scheme="subdivisions")
    signature = sign_and_confirm(petition, "quiet@example.org", country="AM", region="")
    assert signature.region == "" and actions.count_for(petition) == 1


def test_the_choices_json_follows_the_country(client, db):
    found = client.get(reverse("regions:choices", args=["subdivisions", "am"])).json()
    assert ["AM-ER", "Erevan"] in found["choices"] and found["country"] == "AM"
    missing = client.get(reverse("regions:choices", args=["no-such-scheme", "AM"]))
    assert missing.status_code == 404 and "error" in missing.json()


def test_counts_follow_confirm_withdraw_invalidate_revert_and_release(organizer, moderator, wards):
    petition = make_petition(organizer, moderator, region_scheme="wards")
    north = [sign_and_confirm(petition, f"n{i}@example.org", postcode="N1 1AA") for i in range(3)]
    sign_and_confirm(petition, "s@example.org", postcode="S1 1AA")
    sign(petition, "unconfirmed@example.org", postcode="S1 1AA")  # never confirms
    assert exact(petition) == {"N": 3, "S": 1}

    actions.withdraw_signature(north[0])
    assert exact(petition) == {"N": 2, "S": 1}

    taken = invalidation.start_invalidation(
        petition, {"name_pattern": "^Anahit"}, "test", moderator
    )
    run_queued_tasks()
    assert exact(petition) == {}
    invalidation.revert_invalidation(taken, moderator)
    assert exact(petition) == {"N": 2, "S": 1}

    held = sign_and_confirm(petition, "held@mailinator.com", postcode="S1 1AA")
    assert held.held_reason and held.region == "S"  # a disposable address: held, not counted
    assert exact(petition) == {"N": 2, "S": 1}
    actions.recount(petition)  # the operator's repair agrees with the shards
    assert exact(petition) == {"N": 2, "S": 1}
    invalidation.release_held(petition)
    assert exact(petition) == {"N": 2, "S": 2}
    assert sum(exact(petition).values()) == actions.count_for(petition)
    # Sharded like the total: a crowd from one ward does not queue on one row.
    assert RegionShard.objects.filter(petition=petition, region="N").count() >= 1


def test_region_counts_are_cached_and_renewed_after_a_confirmation(organizer, moderator, wards):
    petition = make_petition(organizer, moderator, region_scheme="wards")
    sign_and_confirm(petition, "a@example.org", postcode="N1 1AA")
    assert region_counts(petition) == {"N": 1}
    sign_and_confirm(petition, "b@example.org", postcode="N1 1AA")
    assert region_counts(petition) == {"N": 2}  # the confirmation forgot the cached copy
