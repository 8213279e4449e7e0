"""Where a petition's signers live: its top regions, the breakdown (page, map, JSON, CSV),
the API field, and the organizer's choice of scheme on the form and in an imported file."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from defusedxml import ElementTree as ET
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from factories_accounts import petition_data
from support import make_petition

from undersigned.petitions.models import Petition
from undersigned.regions import geometry
from undersigned.regions.models import Boundary, Region, Scheme
from undersigned.signatures import actions

SVG = "{http://www.w3.org/2000/svg}"
WARDS = [("N", "North", 1000), ("S", "South", 200), ("E", "=East", None)]


@pytest.fixture
def wards(db) -> Scheme:
    scheme = Scheme.objects.create(code="wards", name="City wards")
    for code, name, population in WARDS:
        Region.objects.create(
            scheme=scheme, code=code, name=name, country="GB", population=population
        )
    squares = {
        code: [[[(x, 0), (x + 1, 0), (x + 1, 1), (x, 1), (x, 0)]]]
        for x, (code, _n, _p) in enumerate(WARDS)
    }
    paths, width, height = geometry.draw(squares)
    Boundary.objects.bulk_create(
        Boundary(scheme=scheme, region=code, path=path) for code, path in paths.items()
    )
    Scheme.objects.filter(pk=scheme.pk).update(map_width=width, map_height=height)
    return scheme


@pytest.fixture
def signed(organizer, moderator, wards) -> Petition:
    """Three confirmed signers in North, one in South, one without a region."""
    petition = make_petition(
        organizer, moderator, title="Light the river path", region_scheme="wards"
    )
    for n, region in enumerate(["N", "N", "N", "S", ""]):
        signature = actions.sign_petition(
            petition,
            actions.SignRequest(
                name=f"Signer {n} Example", email=f"s{n}@example.org", country="GB", region=region
            ),
        )
        token = signature.new_token(timezone.now())
        signature.save(update_fields=["token_hash", "token_created_at"])
        actions.confirm_signature(signature, token.split(".", 1)[1])
    return petition


def test_the_petition_page_shows_its_top_regions_with_a_link_to_the_breakdown(client, signed):
    html = client.get(signed.get_absolute_url()).content.decode()
    top = html[html.index('class="top-regions"') :]
    assert top.index("North") < top.index("South")
    assert "3 signatures" in top and "1 signature" in top
    assert reverse("signatures:regions", args=[signed.pk]) in top


def test_a_petition_without_a_scheme_shows_no_regions_and_has_no_breakdown(client, petition):
    assert 'class="top-regions"' not in client.get(petition.get_absolute_url()).content.decode()
    assert client.get(reverse("signatures:regions", args=[petition.pk])).status_code == 404


def table_order(html: str) -> list[str]:
    return [row.split('"')[1] for row in html.split("<tr data-region=")[1:]]


def test_the_breakdown_page_has_a_sortable_table_and_a_map(client, signed):
    url = reverse("signatures:regions", args=[signed.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert table_order(html) == ["N", "S"]  # most first
    assert "0.300 %" in html and "0.500 %" in html  # 3 of 1,000 people; 1 of 200
    assert "1 of them has no region" in html
    assert table_order(client.get(url + "?sort=share").content.decode()) == ["S", "N"]
    by_name = client.get(url + "?sort=name").content.decode()
    assert table_order(by_name) == ["N", "S"] and 'aria-sort="ascending"' in by_name
    assert client.get(url + "?sort=bogus").status_code == 200


def test_the_map_is_valid_svg_with_one_titled_path_per_region(client, signed):
    html = client.get(reverse("signatures:regions", args=[signed.pk])).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    root = ET.fromstring(svg)  # valid XML on its own
    paths = root.findall(f".//{SVG}path")
    assert len(paths) == len(WARDS)
    titles = {p.get("data-region"): p.find(f"{SVG}title").text for p in paths}
    assert titles == {"N": "North: 3 signatures", "S": "South: 1 signature",
                      "E": "=East: 0 signatures"}  # fmt: skip
    fills = {p.get("data-region"): p.get("fill") for p in paths}
    assert len(set(fills.values())) == 3  # most, fewer and none are told apart
    assert root.get("role") == "img" and root.find(f"{SVG}desc") is not None
    legend = html[html.index('class="map-legend"') : html.index("</ul>", html.index("map-legend"))]
    assert legend.count("<li>") == 4  # none, then 1, 2 and 3: as many shades as counts
    assert "no signatures" in legend and fills["E"] in legend and fills["N"] in legend


def test_a_schematic_map_says_so(client, signed, wards):
    Scheme.objects.filter(pk=wards.pk).update(schematic_map=True)
    html = client.get(reverse("signatures:regions", args=[signed.pk])).content.decode()
    assert "schematic map" in html.lower() and "not real borders" in html


def test_the_same_figures_as_json_and_csv(client, signed):
    data = client.get(reverse("signatures:regions_json", args=[signed.pk])).json()
    assert data["scheme"] == {"code": "wards", "name": "City wards"}
    assert data["signature_count"] == 5 and data["without_region"] == 1
    assert [(r["code"], r["count"], r["share"]) for r in data["regions"]] == [
        ("N", 3, 0.3),
        ("S", 1, 0.5),
    ]
    response = client.get(reverse("signatures:regions_csv", args=[signed.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "name", "country", "count", "population", "share_percent"]
    assert rows[1] == ["N", "North", "GB", "3", "1000", "0.3"]


def test_a_formula_looking_region_name_stays_text_in_the_csv(client, signed):
    Region.objects.filter(code="E").update(population=10)
    signature = actions.sign_petition(
        signed,
        actions.SignRequest(name="Eve Example", email="eve@example.org", country="GB", region="E"),
    )
    token = signature.new_token(timezone.now())
    signature.save(update_fields=["token_hash", "token_created_at"])
    actions.confirm_signature(signature, token.split(".", 1)[1])
    from undersigned.regions import lookups

    lookups.forget()
    body = client.get(reverse("signatures:regions_csv", args=[signed.pk])).content.decode()
    assert "'=East" in body


def test_the_petition_json_and_the_api_carry_regions(client, signed, petition):
    assert client.get(reverse("petitions:detail_json", args=[signed.pk])).json()["regions"] == {
        "N": 3,
        "S": 1,
    }
    assert client.get(reverse("petitions:detail_json", args=[petition.pk])).json()["regions"] == {}
    api = client.get(f"/api/v1/petitions/{signed.pk}").json()
    assert api["regions"] == {"N": 3, "S": 1} and api["region_scheme"] == "wards"
    assert client.get(f"/api/v1/petitions/{petition.pk}").json()["regions"] == {}


def test_the_organizer_chooses_the_scheme_and_quorum_on_the_form(client, organizer, wards):
    client.force_login(organizer)
    html = client.get(reverse("petitions:new")).content.decode()
    assert '<option value="wards">City wards</option>' in html
    assert 'name="region_quorum"' in html
    response = client.post(
        reverse("petitions:new"), petition_data(region_scheme="wards", region_quorum="250")
    )
    assert response.status_code == 303
    petition = Petition.objects.get()
    assert (petition.region_scheme, petition.region_quorum) == ("wards", 250)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"region_scheme": "nowhere"}, "Select a valid choice"),
        ({"region_scheme": "wards", "region_quorum": "0"}, "Enter at least 1 signer"),
        ({"region_scheme": "wards", "region_quorum": "many"}, "as a whole number"),
    ],
)
def test_a_bad_scheme_or_quorum_is_a_form_error(client, organizer, wards, fields, message):
    client.force_login(organizer)
    response = client.post(reverse("petitions:new"), petition_data(**fields))
    assert response.status_code == 400 or "error-summary" in response.content.decode()
    assert message in response.content.decode()
    assert not Petition.objects.exists()


FRONT = """title: Light the river path between the bridges
goal: 500
closes: 2027-06-30
creator: lena@example.org
creator_name: Lena Aramyan
targets:
  - City Council, Riverside
"""


def import_file(tmp_path, extra: str) -> str:
    source = tmp_path / "petition.md"
    source.write_text(f"---\n{FRONT}{extra}---\nThe path is dark.\n", encoding="utf-8")
    out = StringIO()
    call_command("import_petition", str(source), stdout=out)
    return out.getvalue()


def test_the_import_format_takes_representatives_and_region_quorum(wards, tmp_path):
    import_file(tmp_path, "representatives: wards\nregion_quorum: 1,000\n")
    petition = Petition.objects.get()
    assert (petition.region_scheme, petition.region_quorum) == ("wards", 1000)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("representatives: nowhere\n", "'nowhere' is not a region scheme"),
        ("representatives: wards\nregion_quorum: 0\n", "region_quorum: 0 is not a number"),
        ("region_quorum: 5\n", "say by which regions"),
    ],
)
def test_a_bad_scheme_or_quorum_in_a_file_is_named(wards, tmp_path, extra, message):
    with pytest.raises(CommandError) as failure:
        import_file(tmp_path, extra)
    assert message in str(failure.value)
    assert not Petition.objects.exists()


def test_the_json_is_public_and_cors_enabled(client, signed):
    response = client.get(reverse("signatures:regions_json", args=[signed.pk]))
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content)["petition"] == signed.pk


def test_the_demo_petition_has_a_ward_map_and_region_counts_that_match_its_signers(
    client, db, settings, tmp_path
):
    from collections import Counter

    from undersigned.regions import demo
    from undersigned.signatures.models import Signature
    from undersigned.signatures.regions import region_counts

    settings.VAR_DIR = tmp_path
    call_command("setup_demo", stdout=StringIO())
    petition = Petition.objects.get()
    assert petition.region_scheme == demo.SCHEME
    rows = Signature.objects.filter(petition=petition).counted().exclude(region="")
    expected = Counter(rows.values_list("region", flat=True))
    assert len(expected) >= 4 and region_counts(petition, fresh=True) == dict(expected)
    # Every placed signer is from Armenia, the demo city's country, with a ward's postcode.
    assert set(rows.values_list("country", flat=True)) == {"AM"}
    html = client.get(reverse("signatures:regions", args=[petition.pk])).content.decode()
    assert html.count("<path ") == 6 and "schematic map" in html
    assert 'class="top-regions"' in client.get(petition.get_absolute_url()).content.decode()
