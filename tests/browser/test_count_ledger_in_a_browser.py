"""The "Changes to the count" page in a real browser: reached from the petition page's
count and log line by keyboard, readable on a 360-pixel phone without sideways
scrolling, each line linking to its entries in the public log."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect
from support import make_petition

from undersigned.transparency import ledger

PHONE = (360, 740)


@pytest.mark.browser
def test_the_ledger_is_reached_from_the_count_and_fits_a_phone(
    open_page, site, organizer, moderator, screenshots
):
    petition = make_petition(organizer, moderator)
    with transaction.atomic():
        ledger.record_change(
            petition.pk, "invalidated", -37, timezone.now(),
            {"address_range": True, "minutes": 4},
        )  # fmt: skip
        ledger.record_change(petition.pk, "released", 12, timezone.now(), {"held": "address-rate"})
    page = open_page(*PHONE)
    page.goto(site + petition.get_absolute_url())
    link = page.locator(".mobile-only").get_by_role("link", name="Changes to the count")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes to the count")
    expect(page.get_by_text("Online signatures: 2 changes (−37, +12).")).to_be_visible()
    expect(page.get_by_text("Signatures from one address range, made in 4 minutes")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="−37")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=screenshots / "changes-to-the-count-phone.png", full_page=True)
