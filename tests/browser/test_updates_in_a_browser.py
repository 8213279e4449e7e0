"""Updates in Chromium: an organizer posts an update from the dashboard, declares victory,
and axe finds nothing serious on the panel or on the won petition page."""

from __future__ import annotations

import re

import pytest
from axe import AXE_JS, WCAG_TAGS, assert_no_serious_violations, blocking, describe
from django.conf import settings
from playwright.sync_api import Page, expect
from support import run_queued_tasks

from undersigned.lib.outbox import letters
from undersigned.signatures.actions import recount
from undersigned.signatures.models import Signature, normalize_email
from undersigned.updates import actions

pytestmark = pytest.mark.browser
PHONE, DESKTOP = (360, 740), (1280, 900)


@pytest.fixture
def followed_petition(petition):
    for n in range(3):
        email = f"follower{n}@signers.test"
        Signature.objects.create(
            petition=petition, name=f"Follower {n}", email=email,
            email_normalized=normalize_email(email), country="AM", wants_updates=True,
            confirmed_at=petition.opened_at,
        )  # fmt: skip
    recount(petition)
    return petition


def assert_panel_clean(page: Page, where: str) -> None:
    """axe on the updates panel alone: the dashboard's other panels are audited by their
    own tests."""
    page.add_script_tag(path=str(AXE_JS))
    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": WCAG_TAGS}}
    results = page.evaluate("options => axe.run({include: [['.updates-panel']]}, options)", options)
    found = blocking(results["violations"])
    assert not found, f"axe on {where}:\n{describe(found)}"


def dashboard_url(site: str, petition) -> str:
    return f"{site}/petitions/{petition.pk}/dashboard/updates"


def test_an_organizer_posts_an_update_and_declares_victory(
    signed_in_page, site, organizer, followed_petition, screenshots
):
    petition = followed_petition
    page = signed_in_page(organizer)
    page.goto(dashboard_url(site, petition))
    panel = page.get_by_role("region", name="Updates")
    expect(panel).to_contain_text("3 of 3 e-mails left this week")
    panel.get_by_role("button", name="Post the update").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter a title for the update.")
    expect(page).to_have_title("Error: Post an update · " + settings.SITE_NAME)
    page.get_by_label("Title").fill("We met the council")
    page.get_by_label("What is new").fill("They **listened**, and will vote in March.")
    page.get_by_label("E-mail it to the 3 signers who asked for updates").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("listened")
    page.get_by_role("button", name="Post the update").click()
    expect(page.locator(".messages")).to_contain_text("is being e-mailed to 3 signers")
    panel = page.get_by_role("region", name="Updates")
    expect(panel).to_contain_text("E-mail queued for 3 signers")
    expect(panel).to_contain_text("2 of 3 e-mails left this week")
    run_queued_tasks()
    page.reload()
    expect(panel).to_contain_text("E-mailed to 3 signers")
    panel.screenshot(path=str(screenshots / "updates-dashboard.png"))

    page.get_by_label("What did the petition win?").fill(
        "The council voted to restore Sunday hours from April."
    )
    page.get_by_label("Yes, the petition achieved what it asked for").check()
    page.get_by_role("button", name="Declare victory").click()
    expect(page.locator(".messages")).to_contain_text("Congratulations!")
    expect(page.locator(".state-tag")).to_have_text("State: Won petition")
    expect(page.get_by_role("region", name=re.compile("^Victory declared on"))).to_contain_text(
        "restore Sunday hours"
    )
    expect(page.locator("#sign")).to_have_count(0)
    timeline = page.get_by_role("region", name="Updates and timeline")
    expect(timeline).to_contain_text("We met the council")
    expect(timeline).to_contain_text("Victory!")
    run_queued_tasks()
    subjects = [letter.subject for letter in letters()]
    assert sum(s.startswith("Victory:") for s in subjects) == 3
    page.screenshot(path=str(screenshots / "updates-won.png"), full_page=True)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_the_panel_and_the_won_page(
    signed_in_page, site, organizer, followed_petition, size, scheme, screenshots
):
    petition = followed_petition
    actions.post_update(petition, title="We met the council", text="They *listened*.",
                        email=True)  # fmt: skip
    page = signed_in_page(organizer, size, scheme, audit=True)
    page.goto(dashboard_url(site, petition))
    assert_panel_clean(page, f"the dashboard's updates panel ({scheme}, {size[0]}px)")
    actions.declare_victory(petition, organizer, "Sunday hours are back from April.")
    page.goto(f"{site}{petition.get_absolute_url()}")
    assert_no_serious_violations(page, f"the won petition page ({scheme}, {size[0]}px)")
    no_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_scroll), "the won page scrolls sideways"
    if size == PHONE and scheme == "dark":
        page.screenshot(path=str(screenshots / "updates-won-phone-dark.png"), full_page=True)
