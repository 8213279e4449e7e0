"""The delivery pack in Chromium: an organizer records a paper sheet, makes the pack,
downloads its PDF (a real browser download) and the PDF says what it should; axe finds
nothing serious on the panel and the paper page (light and dark, desktop and phone)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from axe import AXE_JS, WCAG_TAGS, assert_no_serious_violations, blocking, describe
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from test_delivery_helpers import ARMENIAN, CYRILLIC, add_signers

from undersigned.delivery.models import DeliveryPack

pytestmark = pytest.mark.browser
PHONE, DESKTOP = (360, 740), (1280, 900)


@pytest.fixture(autouse=True)
def _deliveries(settings, tmp_path):
    settings.DELIVERY_DIR = tmp_path / "deliveries"


@pytest.fixture
def signed_petition(petition):
    add_signers(
        petition,
        [
            {"name": ARMENIAN, "email": "anahit@example.am", "comment": "Գրադարանները կարևոր են։",
             "contact": True},
            {"name": CYRILLIC, "email": "natalya@example.org", "country": "UA"},
            {"name": "Marie Dubois", "email": "marie@example.org", "country": "FR",
             "comment": "Le dimanche, c’est le seul jour où je peux y aller."},
        ],
    )  # fmt: skip
    return petition


def audit(page: Page, selector: str, where: str) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": WCAG_TAGS}}
    results = page.evaluate("([c, o]) => axe.run(c, o)", [{"include": [[selector]]}, options])
    found = blocking(results["violations"])
    assert not found, f"axe on {where} ({page.url}):\n{describe(found)}"


def test_an_organizer_makes_and_downloads_the_delivery_pdf(
    signed_in_page, site, organizer, signed_petition, screenshots
):
    petition = signed_petition
    page = signed_in_page(organizer)
    page.goto(f"{site}/petitions/{petition.pk}/dashboard/delivery")
    panel = page.locator("#delivery")
    expect(panel).to_contain_text("Not made yet.")

    panel.get_by_role("link", name="Record paper signatures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signatures on paper")
    page.get_by_label("Country").select_option("AM")
    page.get_by_label("Number of signatures").fill("850")
    page.get_by_label("Names (optional)").fill("Արամ Պետրոսյան\nSophie Martin")
    page.get_by_label("Note (optional)").fill("Sheets from the Sunday market")
    page.get_by_role("button", name="Record these signatures").click()
    expect(page.locator(".messages")).to_contain_text("850 paper signatures from Armenia")
    page.screenshot(path=str(screenshots / "delivery-paper.png"), full_page=True)

    page.goto(f"{site}/petitions/{petition.pk}/dashboard/delivery")
    page.get_by_role("button", name="Make the delivery pack for all the decision makers").click()
    expect(page.locator(".messages")).to_contain_text("The delivery pack is ready to download.")
    pack = DeliveryPack.objects.get()
    expect(panel).to_contain_text(pack.pdf_sha256)

    with page.expect_download() as info:
        panel.get_by_role("link", name="Download the PDF for all the decision makers").click()
    download = info.value
    assert download.suggested_filename == f"delivery-{petition.pk}-{pack.pk}.pdf"
    data = Path(download.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Keep the library open on Sundays" in text
    assert "3 people signed online and confirmed their signatures by e-mail" in text
    assert "850 more signatures were collected on paper" in text
    assert ARMENIAN in text and CYRILLIC in text and "Արամ Պետրոսյան" in text
    assert "@" not in text

    page.reload()
    expect(panel.locator(".delivery-log")).to_contain_text("delivery pack (PDF)")
    expect(panel.locator(".delivery-log")).to_contain_text(pack.pdf_sha256)
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(screenshots / "delivery-panel.png"))

    page.goto(site + petition.get_absolute_url())
    aside = page.locator(".petition-aside .desktop-only")
    expect(aside.locator(".paper-line")).to_contain_text("3 online · 850 on paper")
    aside.screenshot(path=str(screenshots / "delivery-paper-line.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_panel_and_the_paper_page_pass_axe(
    signed_in_page, site, organizer, signed_petition, size, scheme, screenshots
):
    petition = signed_petition
    page = signed_in_page(organizer, size, scheme, audit=True)
    page.goto(f"{site}/petitions/{petition.pk}/paper")
    assert_no_serious_violations(page, f"the paper page ({scheme}, {size[0]}px)")
    page.get_by_role("button", name="Record these signatures").click()  # all empty: errors
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_serious_violations(page, f"the paper page with errors ({scheme}, {size[0]}px)")
    page.get_by_label("Country").select_option("FR")
    page.get_by_label("Number of signatures").fill("120")
    page.get_by_role("button", name="Record these signatures").click()

    page.goto(f"{site}/petitions/{petition.pk}/dashboard/delivery")
    page.get_by_role("button", name="Make the delivery pack for all the decision makers").click()
    panel = page.locator("#delivery")
    expect(panel).to_contain_text("SHA-256")
    audit(page, "#delivery", f"the delivery panel ({scheme}, {size[0]}px)")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    if size == PHONE and scheme == "dark":
        panel.screenshot(path=str(screenshots / "delivery-panel-phone-dark.png"))
