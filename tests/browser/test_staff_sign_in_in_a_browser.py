"""Moderators in Chromium: signing in on the site's own page (password, then the e-mailed
link), and the review page saying what approving will e-mail, and to whom."""

from __future__ import annotations

import re

import pytest
from axe import assert_no_serious_violations
from playwright.sync_api import expect
from support import make_petition, run_queued_tasks

from undersigned.lib.outbox import letters
from undersigned.petitions.models import Petition

pytestmark = pytest.mark.browser
PHONE, DESKTOP = (360, 740), (1280, 900)
PASSWORD = "a-strong-password-1"  # the moderator persona's (conftest.py)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_moderator_signs_in_with_the_password_then_the_emailed_link(
    browser_page, site, moderator, screenshots
):
    page = browser_page(size=PHONE)
    page.goto(site + "/accounts/sign-in/")
    page.get_by_role("link", name="sign in with a password").click()
    expect(page).to_have_url(site + "/accounts/staff-sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in as a moderator")
    expect(page.locator(".site-header")).to_be_visible()  # the site's page, not the admin's

    page.get_by_role("button", name="Sign in").click()  # nothing typed
    expect(page).to_have_title(re.compile(r"^Error: Sign in as a moderator"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^Enter your password"))).to_be_visible()
    page.screenshot(path=str(screenshots / "staff-sign-in-errors-360.png"), full_page=True)

    page.get_by_label("E-mail address").fill(moderator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    run_queued_tasks()
    link = re.search(r"https?://\S+/accounts/sign-in/\S+", letters()[0].text).group()
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(site + "/moderation/")
    expect(page.locator(".messages")).to_contain_text(f"You are signed in as {moderator.email}")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_staff_sign_in_page_passes_axe_at_both_addresses(
    browser_page, site, db, size, scheme, screenshots
):
    page = browser_page(size=size, scheme=scheme, audit=True)
    for path in ["/accounts/staff-sign-in/", "/admin/login/"]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in as a moderator")
        assert_no_serious_violations(page, f"{path} ({scheme}, {size[0]}px)")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways"
        page.get_by_role("button", name="Sign in").click()
        assert_no_serious_violations(page, f"{path} with errors ({scheme}, {size[0]}px)")
    page.goto(site + "/accounts/staff-sign-in/")
    page.screenshot(path=str(screenshots / f"staff-sign-in-{scheme}-{size[0]}.png"), full_page=True)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_review_page_says_what_approving_sends(
    browser_page, site, organizer, moderator, size, screenshots
):
    targets = [
        {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "mayor@riverside.example"},
        {"name": "City Council", "role": "Riverside"},
    ]
    petition = make_petition(
        organizer, targets=targets, notify_targets=True, state=Petition.State.MODERATION
    )
    page = browser_page(moderator, size=size, audit=True)
    page.goto(f"{site}/moderation/{petition.pk}")
    sends = page.get_by_role("region", name="What approving sends")
    expect(sends).to_contain_text(f"To the organizer, Lena Aramyan ({organizer.email})")
    expect(sends).to_contain_text(f"“Your petition is open: {petition.title}”")
    expect(sends).to_contain_text(f"“A petition addressed to you: {petition.title}”")
    expect(sends).to_contain_text("Maria Rossi · mayor@riverside.example")
    expect(sends).to_contain_text("City Council · no address on file: not e-mailed")
    assert_no_serious_violations(page, f"the review page ({size[0]}px)")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the review page scrolls sideways"
    page.screenshot(path=str(screenshots / f"moderation-review-{size[0]}.png"), full_page=True)
