"""A representative in a real browser: opens the link from the e-mail in the outbox,
makes a mistake, states a position, lands on their public page, and the petition shows
the summary; on a phone too. The pages pass axe."""

from __future__ import annotations

import pytest
from axe import assert_no_serious_violations
from playwright.sync_api import expect
from representatives_support import (
    ALICE,
    NORTH,
    SCHEME,
    make_representatives,
    make_scheme,
    sign_in_ward,
)
from support import make_petition, run_queued_tasks

from undersigned.petitions.models import Petition
from undersigned.representatives import actions

pytestmark = pytest.mark.browser

PHONE = (360, 740)


@pytest.fixture
def asked(organizer, moderator, site) -> Petition:
    make_scheme(quorum=2)
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME)
    sign_in_ward(petition, NORTH, 2)
    actions.ask_representatives()
    run_queued_tasks()  # the e-mails land in the outbox, with links to the live server
    return petition


@pytest.mark.parametrize("size", [(1000, 1000), PHONE], ids=["desktop", "phone"])
def test_a_representative_states_a_position_from_the_emailed_link(
    browser_page, site, asked, size, screenshots
):
    shots = screenshots
    page = browser_page(None, size, audit=True)
    page.goto(site + "/outbox/")
    newest = page.locator("table tbody tr").filter(has_text=ALICE["email"]).first
    newest.get_by_role("link").click()
    page.frame_locator(".letter-html").locator("a[href*='/representatives/answer/']").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("State your position on the petition")
    expect(page.get_by_role("main")).to_contain_text("Riverside North")
    page.screenshot(path=str(shots / f"representatives-position-{size[0]}.png"), full_page=True)
    assert page.context.cookies() == []  # nothing to accept, no session
    assert_no_serious_violations(page, f"the position page ({size[0]}px)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Publish my position").click()  # nothing chosen
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Choose whether you agree, disagree or are undecided.")
    assert_no_serious_violations(page, f"the position page with errors ({size[0]}px)")
    summary.get_by_role("link", name="Choose whether you agree").click()
    page.get_by_label("I agree with the petition").check()
    page.get_by_label("Your reason").fill("The ferry is how the north ward gets to work.")
    page.get_by_role("button", name="Publish my position").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(ALICE["name"])
    expect(page.get_by_role("status")).to_contain_text("your position is published")
    expect(page.locator(f"#petition-{asked.pk}")).to_contain_text("Agrees")
    assert_no_serious_violations(page, f"the representative's page ({size[0]}px)")
    page.screenshot(path=str(shots / f"representative-{size[0]}.png"), full_page=True)

    page.get_by_role("link", name=asked.title).click()
    block = page.locator("#representatives")
    expect(block).to_contain_text("1 of 2 representatives has answered: 1 agrees.")
    expect(block).to_contain_text("The ferry is how the north ward gets to work.")
    expect(page.locator(".petition-meta")).to_contain_text(
        "the representatives of the signers’ regions"
    )
    block.screenshot(path=str(shots / f"representatives-on-petition-{size[0]}.png"))
