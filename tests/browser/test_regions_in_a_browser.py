"""Regions in a real browser: two people sign from two wards with their postcodes, confirm
by e-mail, and the breakdown's map and table change; a signer picks their country's
region from a list that follows the country chosen (with script) or the page's (without).

The pictures of docs/regions.md are taken here (var/screenshots/docs/regions-*.png).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from support import make_petition

from undersigned.regions import demo

pytestmark = pytest.mark.browser

PHONE = (360, 780)


@pytest.fixture
def screenshots(screenshots):
    """The session's folder, with docs/ in it for the pictures of docs/regions.md."""
    (screenshots / "docs").mkdir(exist_ok=True)
    return screenshots


@pytest.fixture
def wards_petition(organizer, moderator):
    demo.install()
    return make_petition(
        organizer, moderator, title="Keep Riverside Library open on Sundays",
        region_scheme=demo.SCHEME,
    )  # fmt: skip


def sign_with_postcode(page: Page, site, petition, fill_sign_form, email, postcode) -> None:
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page, email=email, country="AM")
    page.locator("#sign form").get_by_label("Postcode (optional)").fill(postcode)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")


# Elements that stick out of a phone's window (they would make the page scroll sideways).
WIDER_THAN_THE_WINDOW = """[...document.querySelectorAll("main *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !e.closest(".table-wrap"))
  .map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""


def region_path(page: Page, code: str):
    return page.locator(f"svg.region-map path[data-region='{code}']")


def test_signers_from_two_wards_change_the_map_and_the_table(
    browser_page, site, wards_petition, fill_sign_form, confirm_by_email, screenshots
):
    breakdown = site + reverse("signatures:regions", args=[wards_petition.pk])
    page = browser_page()
    page.goto(breakdown)
    expect(page.get_by_role("heading", level=1)).to_have_text("Where the signers live")
    expect(page.locator("main")).to_contain_text("No confirmed signature has a region yet.")
    expect(page.locator("main")).to_contain_text("schematic map")
    expect(page.locator("svg.region-map path")).to_have_count(6)
    empty_fill = region_path(page, "RV-NORTHFIELD").get_attribute("fill")

    sign_with_postcode(page, site, wards_petition, fill_sign_form, "ani@example.org", "rv1 aa1")
    assert confirm_by_email() == 1
    page.goto(breakdown)
    north = region_path(page, "RV-NORTHFIELD")
    expect(north.locator("title")).to_have_text("Northfield: 1 signature")
    assert north.get_attribute("fill") != empty_fill
    expect(page.locator("#regions tbody tr")).to_have_count(1)
    expect(page.locator("#regions tbody tr").first).to_contain_text("Northfield")

    other = browser_page()
    sign_with_postcode(other, site, wards_petition, fill_sign_form, "aram@example.org", "RV5 BB1")
    sign_with_postcode(other, site, wards_petition, fill_sign_form, "nare@example.org", "RV5 CC1")
    assert confirm_by_email() == 2
    page.goto(breakdown)
    expect(region_path(page, "RV-HARBOUR").locator("title")).to_have_text("Harbour: 2 signatures")
    rows = page.locator("#regions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Harbour")  # most first
    expect(rows.first).to_contain_text("0.024 %")  # 2 of 8,300 people
    page.get_by_role("link", name="Region").click()  # sort by name: the header is a link
    expect(page.locator("#regions tbody tr").first).to_contain_text("Harbour")
    expect(page.locator("#regions th[aria-sort=ascending]")).to_contain_text("Region")
    page.screenshot(path=screenshots / "docs" / "regions.png", full_page=True)

    phone = browser_page(size=PHONE)
    phone.goto(breakdown)
    expect(phone.locator("svg.region-map")).to_be_visible()
    phone.screenshot(path=screenshots / "docs" / "regions-phone.png", full_page=True)
    assert phone.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(site + wards_petition.get_absolute_url())
    top = page.locator(".top-regions")
    expect(top.locator("li").first).to_contain_text("Harbour")
    expect(top.locator("li").first).to_contain_text("2 signatures")
    top.get_by_role("link", name="All regions, with a map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where the signers live")


@pytest.fixture
def provinces_petition(organizer, moderator):
    return make_petition(
        organizer, moderator, title="Count us by province", region_scheme="subdivisions"
    )


def test_the_region_list_follows_the_country_with_script(
    browser_page, site, provinces_petition, fill_sign_form, confirm_by_email, screenshots
):
    page = browser_page()
    page.goto(site + provinces_petition.get_absolute_url())
    form = page.locator("#sign form")
    fill_sign_form(page, email="lilit@example.org", country="AM")
    region = form.get_by_label("Region (optional)")
    expect(form.locator("select[name=region] option[value='AM-SH']")).to_have_count(1)  # fetched
    region.select_option("AM-SH")
    form.screenshot(path=screenshots / "docs" / "regions-sign-form.png")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert confirm_by_email() == 1
    page.goto(site + reverse("signatures:regions", args=[provinces_petition.pk]))
    expect(page.locator("#regions tbody tr").first).to_contain_text("Širak")
    expect(page.locator("svg.region-map")).to_have_count(0)  # the built-in scheme has no map


def test_without_script_a_changed_country_asks_for_the_region_again(
    browser_page, site, provinces_petition, fill_sign_form, confirm_by_email
):
    page = browser_page(javascript=False)
    page.goto(site + provinces_petition.get_absolute_url())
    form = page.locator("#sign form")
    region = form.get_by_label("Region (optional)")
    expect(form.locator("select[name=region] option[value='GB-LND']")).to_have_count(1)  # en-GB
    region.select_option("GB-LND")
    fill_sign_form(page, email="davit@example.org", country="AM")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose your region again")
    region = page.locator("#sign form").get_by_label("Region (optional)")
    expect(page.locator("#sign select[name=region] option[value='AM-ER']")).to_have_count(1)
    region.select_option("AM-ER")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert confirm_by_email() == 1
    page.goto(site + reverse("signatures:regions", args=[provinces_petition.pk]))
    expect(page.locator("#regions tbody tr").first).to_contain_text("Erevan")
