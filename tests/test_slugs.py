"""Readable links: /petitions/12-keep-the-library-open. The id finds the petition, the slug
is for people; every other address of it redirects there for good."""

from __future__ import annotations

import pytest
from django.urls import reverse
from factories_accounts import petition_data
from support import SIGNER, make_petition

from undersigned.cli import parse_url
from undersigned.petitions.models import Petition, make_slug
from undersigned.sharing.links import petition_url


def test_a_petition_address_carries_a_slug_from_its_title(client, petition):
    url = petition.get_absolute_url()
    assert url == f"/petitions/{petition.pk}-keep-the-library-open-on-sundays"
    page = client.get(url)
    assert page.status_code == 200 and b"Keep the library open on Sundays" in page.content


def test_the_bare_id_redirects_permanently_keeping_the_query(client, petition):
    response = client.get(f"/petitions/{petition.pk}?source=poster&lang=fr")
    assert response.status_code == 301
    assert response["Location"] == petition.get_absolute_url() + "?source=poster&lang=fr"


@pytest.mark.parametrize("slug", ["keep-the-library", "KEEP-the-library-open-on-sundays", "x"])
def test_a_wrong_or_shortened_slug_redirects_to_the_canonical_one(client, petition, slug):
    response = client.get(f"/petitions/{petition.pk}-{slug}")
    assert response.status_code == 301 and response["Location"] == petition.get_absolute_url()


def test_an_old_slug_redirects_after_the_title_is_edited(client, organizer):
    client.force_login(organizer)
    saved = client.post(reverse("petitions:new"), petition_data(title="Save the old bridge"))
    petition = Petition.objects.get()
    old = saved["Location"]
    assert old == f"/petitions/{petition.pk}-save-the-old-bridge"
    edit = reverse("petitions:edit", args=[petition.pk])
    data = petition_data(title="Repair the old bridge by May")
    data["targets-INITIAL_FORMS"] = "1"  # the decision maker saved with the draft
    moved = client.post(edit, data)
    new = f"/petitions/{petition.pk}-repair-the-old-bridge-by-may"
    assert moved["Location"] == new
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new
    assert client.get(new).status_code == 200


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Պահպանենք Երևանի գրադարանը", "pahpanenk-erevani-gradarany"),
        ("Сохраним библиотеку в парке", "sokhranim-biblioteku-v-parke"),
        ("«Ещё» — ёлки, да!", "eshche-elki-da"),
    ],
)
def test_armenian_and_russian_titles_get_a_readable_transliterated_slug(
    client, organizer, moderator, title, slug
):
    assert make_slug(title) == slug
    petition = make_petition(organizer, moderator, title=title, language="hy")
    url = petition.get_absolute_url()
    assert url == f"/petitions/{petition.pk}-{slug}" and url.isascii()
    page = client.get(url)
    assert page.status_code == 200 and title in page.content.decode()
    assert client.get(f"/petitions/{petition.pk}")["Location"] == url


def test_a_title_with_no_letters_keeps_the_bare_id_as_its_address(client, organizer, moderator):
    petition = make_petition(organizer, moderator, title="!!! ??? …")
    assert petition.slug == "" and petition.get_absolute_url() == f"/petitions/{petition.pk}"
    assert client.get(petition.get_absolute_url()).status_code == 200
    assert client.get(f"/petitions/{petition.pk}-x")["Location"] == f"/petitions/{petition.pk}"


def test_a_draft_is_a_404_at_any_address_and_its_slug_never_leaks(client, organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT, title="A secret plan")
    for address in (f"/petitions/{draft.pk}", f"/petitions/{draft.pk}-guess"):
        response = client.get(address)
        assert response.status_code == 404 and b"a-secret-plan" not in response.content


def test_json_sub_pages_and_signing_keep_their_addresses_by_id(client, petition):
    data = client.get(f"/petitions/{petition.pk}.json").json()
    assert data["url"] == "http://testserver" + petition.get_absolute_url()
    assert client.get(f"/petitions/{petition.pk}/count").status_code == 200
    assert client.get(f"/petitions/{petition.pk}/log").status_code == 200
    signed = client.post(f"/petitions/{petition.pk}/sign", SIGNER, HTTP_ORIGIN="http://testserver")
    assert signed.status_code == 303


def test_share_links_use_the_readable_address(petition):
    assert petition_url(petition, "email") == (
        f"http://testserver/petitions/{petition.pk}-keep-the-library-open-on-sundays?source=email"
    )


def test_the_page_cache_keeps_the_canonical_page_and_not_the_redirect(
    client, petition, page_cache, django_assert_num_queries
):
    url = petition.get_absolute_url()
    first = client.get(url)
    assert first["Cache-Control"].startswith("public")
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    redirect = client.get(f"/petitions/{petition.pk}")
    assert redirect.status_code == 301 and "public" not in redirect.get("Cache-Control", "")


def test_the_verifier_takes_a_readable_address_too():
    log = parse_url("https://example.org/petitions/12-keep-the-library-open")
    assert log.petition_id == 12 and log.origin == "example.org/petitions/12"
    assert parse_url("https://example.org/petitions/12-keep-the-library-open/log").petition_id == 12
