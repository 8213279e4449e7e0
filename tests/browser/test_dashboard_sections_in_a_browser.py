"""The dashboard's sections in Chromium: an organizer moves between them by the links of
the section navigation, on a 360-px phone and (without JavaScript, by keyboard) on a
desktop. Each section has its own address, <title> and heading, the current one is
marked with aria-current, nothing scrolls sideways and axe finds nothing serious."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe import assert_no_serious_violations
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from undersigned.signatures.actions import recount
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.browser
PHONE, DESKTOP = (360, 740), (1280, 900)
# (link in the navigation, address after /dashboard, the section's heading)
SECTIONS = [
    ("Overview", "", "Figures"),
    ("Signatures", "/signatures", "Signatures over time"),
    ("Updates", "/updates", "Updates"),
    ("Decision makers", "/decision-makers", "Decision makers"),
    ("Delivery", "/delivery", "Delivery and export"),
    ("Sharing", "/sharing", "Share kit"),
    ("Co-organizers", "/organizers", "Co-organizers"),
]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def signed_petition(petition):
    now = timezone.now()
    Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {n}", email=f"s{n}@signers.test",
            email_normalized=f"s{n}@signers.test", country=["AM", "FR", "DE"][n % 3],
            source=["newsletter", ""][n % 2], created_at=now - timedelta(hours=n, minutes=5),
            confirmed_at=now - timedelta(hours=n),
        )
        for n in range(30)
    )  # fmt: skip
    recount(petition)
    return petition


def check_section(page: Page, base: str, label: str, path: str, heading: str) -> None:
    expect(page).to_have_url(base + path)
    nav = page.get_by_role("navigation", name="Dashboard sections")
    current = nav.locator("[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text(label)
    expect(page).to_have_title(re.compile(rf"^{re.escape(label)} – Dashboard: "))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.locator("main h2").first).to_have_text(heading)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_organizer_moves_between_the_sections_on_a_phone(
    signed_in_page, site, organizer, signed_petition, scheme, screenshots
):
    base = f"{site}/petitions/{signed_petition.pk}/dashboard"
    page = signed_in_page(organizer, PHONE, scheme, audit=True)
    page.goto(base + "/sharing")  # start anywhere: every section links to every other
    addresses = set()
    for label, path, heading in SECTIONS:
        nav = page.get_by_role("navigation", name="Dashboard sections")
        nav.get_by_role("link", name=label, exact=True).click()
        check_section(page, base, label, path, heading)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{label} scrolls sideways at 360 px"
        assert_no_serious_violations(page, f"the dashboard's {label} ({scheme}, phone)")
        name = f"dashboard-section-{path.strip('/') or 'overview'}-{scheme}-360.png"
        page.screenshot(path=str(screenshots / name), full_page=True)
        addresses.add(page.url)
    assert len(addresses) == len(SECTIONS)


def test_the_sections_work_by_keyboard_without_javascript(
    browser, site, organizer, signed_petition, screenshots
):
    context = browser.new_context(
        viewport={"width": DESKTOP[0], "height": DESKTOP[1]}, locale="en-GB",
        java_script_enabled=False,
    )  # fmt: skip
    client = Client()
    client.force_login(organizer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}]
    )
    try:
        page = context.new_page()
        base = f"{site}/petitions/{signed_petition.pk}/dashboard"
        page.goto(base)
        check_section(page, base, *SECTIONS[0])
        # The figures come first: before any chart, table or form.
        expect(page.locator(".dashboard-header + *")).to_have_id("figures")
        page.screenshot(path=str(screenshots / "dashboard-sections-desktop.png"), full_page=True)
        for label, path, heading in SECTIONS[1:]:
            link = page.get_by_role("navigation", name="Dashboard sections").get_by_role(
                "link", name=label, exact=True
            )
            for _step in range(30):
                page.keyboard.press("Tab")
                if link.evaluate("a => a === document.activeElement"):
                    break
            else:
                pytest.fail(f"Tab never reached the link to {label}")
            page.keyboard.press("Enter")
            check_section(page, base, label, path, heading)
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
        # Once on the page, nothing repeats: one block of co-organizers, one navigation.
        expect(page.get_by_role("heading", name="Co-organizers")).to_have_count(1)
        expect(page.get_by_role("navigation", name="Dashboard sections")).to_have_count(1)
    finally:
        context.close()
