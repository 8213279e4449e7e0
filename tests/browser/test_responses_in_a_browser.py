"""A decision maker in a real browser: opens the link from the e-mail in the outbox,
publishes a response, and sees it on the petition page; the pages pass axe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axe import assert_no_serious_violations
from django.utils import timezone
from playwright.sync_api import expect
from support import make_petition, run_queued_tasks

from undersigned.petitions.models import Petition
from undersigned.responses import actions
from undersigned.updates.models import Update

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "maria.rossi@example.org"}


@pytest.fixture
def addressed(organizer, moderator, site) -> Petition:
    petition = make_petition(
        organizer, moderator, targets=[MAYOR, {"name": "City Council", "role": "Riverside"}],
        notify_targets=True,
    )  # fmt: skip
    actions.notify_targets()
    run_queued_tasks()  # the e-mail lands in the outbox, with links to the live server
    return petition


@pytest.fixture
def audit_context(browser_page):
    """Pages that let axe's script in past the Content-Security-Policy."""

    def open_context(width=1280, height=900, user=None):
        return browser_page(user, (width, height), audit=True)

    return open_context


def test_a_decision_maker_opens_the_emailed_link_and_publishes_a_response(
    audit_context, site, addressed, organizer
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = audit_context(width=1000, height=1100)
    page.goto(site + "/outbox/")
    newest = page.locator("table tbody tr").first
    expect(newest).to_contain_text("maria.rossi@example.org")
    newest.get_by_role("link").click()
    page.get_by_text("Text version").click()  # the text part, one click away
    expect(page.locator(".letter-text")).to_contain_text(addressed.title)
    page.frame_locator(".letter-html").locator("a[href*='/respond/']").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Respond to the petition")
    expect(page.get_by_role("main")).to_contain_text(addressed.title)
    assert page.context.cookies() == []  # nothing to accept, no session
    assert_no_serious_violations(page, "the response page")
    page.get_by_label("Your name and title, as shown publicly").fill(
        "Maria Rossi, Mayor of Riverside"
    )
    page.get_by_label("Your response").fill(
        "Thank you for your petition. From March, **Riverside Library will open on "
        "Sundays** from 10:00 to 16:00."
    )
    page.screenshot(path=str(SHOTS / "responses-respond.png"), full_page=True)
    page.get_by_role("button", name="Publish my response").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your response is published")
    assert_no_serious_violations(page, "the published page")
    update = Update.objects.get(kind=Update.Kind.RESPONSE)
    assert update.display_title == "Response from Maria Rossi, Mayor of Riverside"

    page.get_by_role("link", name="See it on the petition page").click()
    block = page.locator("#decision-makers")
    expect(block).to_contain_text("Responded on")
    expect(block).to_contain_text("Riverside Library will open on Sundays")
    expect(block).to_contain_text("Has not responded yet.")  # the council has no address
    expect(block).to_contain_text(
        "Answered by Maria Rossi from an address at example.org, checked by our moderators."
    )
    expect(page.get_by_role("main")).not_to_contain_text("maria.rossi@example.org")
    assert_no_serious_violations(page, "the petition page with a response")
    block.screenshot(path=str(SHOTS / "responses-petition.png"))

    dashboard = audit_context(width=1100, height=900, user=organizer)
    dashboard.goto(site + f"/petitions/{addressed.pk}/dashboard/decision-makers")
    panel = dashboard.locator(".responses-panel")
    expect(panel).to_contain_text("m•••@example.org")
    expect(panel).to_contain_text("checked by our moderators")
    expect(panel).to_contain_text("Responded on")
    assert_no_serious_violations(dashboard, "the dashboard with the decision-maker panel")
    panel.screenshot(path=str(SHOTS / "responses-dashboard.png"))


def test_the_response_page_works_on_a_phone_without_javascript(browser, site, addressed):
    import re

    from undersigned.lib.outbox import letters

    link = re.search(r"https?://\S+/respond/[\w-]+\.[\w-]+", letters()[0].text).group()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(link)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways ({width}px)"
        page.get_by_role("button", name="Publish my response").click()  # empty: errors
        expect(page).to_have_title(re.compile(r"^Error:"))
        expect(page.locator(".error-summary")).to_contain_text("Enter your response")
        page.get_by_label("Your response").fill("We have read it and will answer in detail.")
        page.get_by_role("button", name="Publish my response").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your response is published")
    finally:
        context.close()


def test_a_moderator_approves_a_changed_address_and_the_waiting_email_goes_out(
    audit_context, site, addressed, organizer, moderator
):
    from undersigned.lib.outbox import letters

    mayor = addressed.targets.get(name="Maria Rossi")
    actions.set_target_email(mayor, "maria@riverside.example", organizer)
    actions.resend_notification(mayor, organizer, now=timezone.now() + timedelta(days=2))
    run_queued_tasks()
    assert not [m for m in letters() if m.to == "maria@riverside.example"]

    page = audit_context(user=moderator)
    page.goto(site + "/moderation/")
    page.get_by_role("link", name="Decision-maker addresses to check").click()
    row = page.locator("tr", has_text="maria@riverside.example")
    expect(row).to_contain_text("maria.rossi@example.org")  # the one approved before
    assert_no_serious_violations(page, "the list of addresses to check")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("main")).to_contain_text("Approved the address of Maria Rossi")
    expect(page.get_by_role("main")).to_contain_text("No address is waiting to be checked.")

    run_queued_tasks()
    assert len([m for m in letters() if m.to == "maria@riverside.example"]) == 1
