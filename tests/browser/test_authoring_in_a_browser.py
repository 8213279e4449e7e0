"""An organizer writes a petition in Chromium: five decision makers with no script at all,
a preview that looks like the petition page, a saved draft at a clean address; and the
count keeps its words right as signatures arrive."""

from __future__ import annotations

import re

import pytest
from axe import assert_no_serious_violations
from playwright.sync_api import Page, expect
from support import SIGNER, make_petition

from undersigned.petitions.models import Petition
from undersigned.signatures import actions

pytestmark = pytest.mark.browser

PHONE = (360, 740)
DESKTOP = (1280, 900)
FIVE = [
    ("City Council", "Riverside"), ("Mayor of Riverside", ""), ("Culture Committee", "Council"),
    ("Library Board", ""), ("Regional Parliament", "Education Committee"),
]  # fmt: skip


@pytest.fixture
def organizer_page(browser_page, organizer):
    """organizer_page(size, javascript=True, audit=False): a page signed in as the
    organizer (its session cookie set directly)."""

    def open_page(size=DESKTOP, javascript=True, audit=False) -> Page:
        return browser_page(organizer, size, audit=audit, javascript=javascript)

    return open_page


def write_petition_with_five_decision_makers(page: Page, site: str) -> None:
    page.goto(site + "/petitions/new")
    page.get_by_label("Title").fill("Keep Riverside Library open on Sundays")
    page.get_by_label("What should change, and why").fill(
        "# Why\n\nSunday is the only day many of us **can** come.\n\n- parents\n- students"
    )
    page.get_by_label("Your organisation (optional)").fill("Friends of Riverside Library")
    page.get_by_text("Add up to 4 more decision makers").click()  # a <details>: no script
    for i, (name, role) in enumerate(FIVE):
        page.locator(f"#id_targets-{i}-name").fill(name)
        page.locator(f"#id_targets-{i}-role").fill(role)


def test_five_decision_makers_without_javascript_from_preview_to_saved_draft(
    organizer_page, site, screenshots
):
    page = organizer_page(DESKTOP, javascript=False)
    write_petition_with_five_decision_makers(page, site)
    page.get_by_role("button", name="Preview").click()

    expect(page).to_have_url(re.compile(r"/petitions/new#preview$"))
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Preview")).to_be_visible()
    meta = preview.locator(".petition-meta")
    for name, _role in FIVE:
        expect(meta).to_contain_text(name)
    expect(meta).to_contain_text("Started by Lena Aramyan (Friends of Riverside Library)")
    expect(preview.locator(".count-block").filter(visible=True)).to_contain_text(
        "Be the first to sign"
    )
    page.screenshot(path=screenshots / "authoring-preview.png", full_page=True)

    page.get_by_role("button", name="Save draft").click()
    petition = Petition.objects.get()
    expect(page).to_have_url(site + petition.get_absolute_url())  # no #preview left over
    byline = page.locator(".petition-header .petition-meta")
    for name, _role in FIVE:
        expect(byline).to_contain_text(name)
    assert [t.name for t in petition.targets.all()] == [name for name, _role in FIVE]
    page.screenshot(path=screenshots / "authoring-draft.png", full_page=True)


def test_the_preview_on_a_phone_fits_and_passes_axe(organizer_page, site, screenshots):
    page = organizer_page(PHONE, audit=True)
    write_petition_with_five_decision_makers(page, site)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview .petition-meta")).to_contain_text("Regional Parliament")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    assert_no_serious_violations(page, "the petition preview (360px)")
    page.screenshot(path=screenshots / "authoring-preview-phone.png", full_page=True)


def sign_and_confirm(petition: Petition, n: int, confirm_by_email) -> None:
    email = SIGNER["email"].replace("@", f"+{n}@")
    request = actions.SignRequest(SIGNER["name"], email, SIGNER["country"], public=False)
    actions.sign_petition(petition, request)
    assert confirm_by_email() >= 1


def test_the_polled_count_changes_its_words_with_the_number(
    open_page, site, organizer, moderator, confirm_by_email, settings, screenshots
):
    settings.COUNT_CACHE_SECONDS = 0
    petition = make_petition(organizer, moderator, goal=250)
    page = open_page(*DESKTOP)
    page.goto(site + petition.get_absolute_url())
    block = page.locator("[data-count-url]").filter(visible=True)
    expect(block.locator(".count")).to_have_text("Be the first to sign")
    expect(block.locator(".goal-line")).to_have_text("The goal is 250 signatures.")

    sign_and_confirm(petition, 1, confirm_by_email)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # poll now
    expect(block.locator(".count")).to_have_text("1 person has signed")
    expect(block.locator(".goal-line")).to_have_text("249 more signatures to reach 250")

    sign_and_confirm(petition, 2, confirm_by_email)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(block.locator(".count")).to_have_text("2 people have signed")
    expect(block.locator("[role=status]")).to_be_empty()  # no goal passed: nothing said
    page.screenshot(path=screenshots / "count-two-signers.png")
