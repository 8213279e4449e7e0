"""The dashboard's SVGs are well-formed XML that load and run nothing from anywhere."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from test_dashboard_stats import add

from undersigned.dashboard import charts
from undersigned.dashboard.stats import CountryRow, Point

SVG = "{http://www.w3.org/2000/svg}"
# The SVG namespace is a name, not an address anything is fetched from.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def external_urls(svg: str) -> set[str]:
    return set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>)]*", svg)) - NAMESPACES


def assert_self_contained(svg: str) -> None:
    assert "<script" not in svg
    assert not external_urls(svg), external_urls(svg)
    assert not re.search(r"\b(?:href|src)\s*=", svg)


def test_a_bar_chart_is_valid_xml_with_a_title_per_bar():
    start = datetime(2026, 11, 20, tzinfo=UTC)
    points = [Point(start + timedelta(hours=i), n) for i, n in enumerate([0, 3, 1, 0, 12])]
    svg = str(charts.bar_chart(points, chart_id="c", title="Per hour", description="Bars & <b>"))
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Per hour"
    assert root.find(f"{SVG}desc").text == "Bars & <b>"  # escaped, then read back
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 3  # empty hours draw nothing
    assert [float(bar.get("height")) for bar in bars][-1] == 100  # the tallest fills it
    assert bars[0].find(f"{SVG}title").text.endswith(": 3")
    assert_self_contained(svg)


def test_an_empty_chart_is_still_valid():
    svg = str(
        charts.bar_chart([Point(date(2026, 1, 1), 0)], chart_id="c", title="t", description="d")
    )
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "t"


def test_the_world_map_is_valid_self_contained_xml():
    svg = charts.world_map_svg([CountryRow("AM", 30, 60.0), CountryRow("FR", 20, 40.0)]).decode()
    root = ElementTree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Signatures by country"
    assert_self_contained(svg)
    assert 'class="am country map-element color-0' in svg  # shaded, darker than France
    assert 'class="fr country map-element color-0' in svg


@pytest.mark.parametrize("rows", [[], [CountryRow("XK", 1, 100.0)]], ids=["none", "unmapped"])
def test_the_map_draws_with_no_or_unmappable_countries(rows):
    svg = charts.world_map_svg(rows).decode()
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not re.search(r"country map-element color-", svg)  # no country shaded
    assert_self_contained(svg)


def test_the_map_is_served_as_an_image_that_may_load_nothing(client, organizer, petition):
    add(petition, 3, country="AM")
    client.force_login(organizer)
    response = client.get(reverse("dashboard:map", args=[petition.pk]), HTTP_ACCEPT_ENCODING="")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["Cache-Control"].startswith("private")
    ElementTree.fromstring(response.content)
    assert_self_contained(response.content.decode())


def test_the_map_is_compressed_for_browsers_that_accept_it(client, organizer, petition):
    client.force_login(organizer)
    url = reverse("dashboard:map", args=[petition.pk])
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 400_000


def test_the_charts_on_the_page_are_valid_and_self_contained(client, organizer, petition):
    add(petition, 5, at=datetime.now(UTC) - timedelta(hours=2))
    client.force_login(organizer)
    page = client.get(reverse("dashboard:signatures", args=[petition.pk])).content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) >= 2
    for svg in svgs:
        if 'class="chart"' in svg:
            ElementTree.fromstring(svg)
            assert_self_contained(svg)
    assert re.search(
        r'<img src="/petitions/\d+/dashboard/map\.svg\?v=\d+"[^>]* alt="World map', page
    )
