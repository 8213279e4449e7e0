"""An organizer writing a title sees "Sign this one instead?": as they type with
JavaScript, once the form is sent without it; on a phone too."""

from __future__ import annotations

import pytest
from axe import assert_no_serious_violations
from playwright.sync_api import expect
from support import make_petition

from undersigned.petitions.models import Petition

pytestmark = pytest.mark.browser

PHONE = (360, 740)


@pytest.fixture
def library(organizer, moderator) -> Petition:
    petition = make_petition(organizer, moderator)  # "Keep the library open on Sundays"
    Petition.objects.filter(pk=petition.pk).update(signature_count=1234)
    return petition


def test_the_list_follows_the_title_as_it_is_typed_on_a_phone(
    browser_page, organizer, library, site, screenshots
):
    page = browser_page(organizer, PHONE, audit=True)
    page.goto(site + "/petitions/new")
    similar = page.locator("#similar")
    expect(similar).to_be_hidden()
    page.get_by_label("Title").press_sequentially("Keep our library open on Sunday", delay=5)
    expect(similar).to_be_visible()
    expect(similar.get_by_role("heading", name="Sign this one instead?")).to_be_visible()
    link = similar.get_by_role("link", name="Keep the library open on Sundays")
    expect(link).to_have_attribute("href", library.get_absolute_url())
    expect(similar).to_contain_text("1,234 signatures")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    assert_no_serious_violations(page, "the petition form with similar petitions")
    similar.screenshot(path=screenshots / "similar-petitions-phone.png")
    page.get_by_label("Title").fill("Lower the bus fares")
    expect(similar).to_be_hidden()
    assert page.url == site + "/petitions/new"  # all of it without sending the form


def test_without_javascript_the_list_comes_with_the_sent_form_and_its_errors(
    browser_page, organizer, library, site
):
    page = browser_page(organizer, javascript=False)
    page.goto(site + "/petitions/new")
    page.get_by_label("Title").fill("Keep our library open on Sunday")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#error-summary")).to_be_visible()  # no text, no decision maker yet
    similar = page.locator("#similar")
    expect(similar).to_be_visible()
    expect(similar.get_by_role("link", name="Keep the library open on Sundays")).to_be_visible()
    expect(similar).to_contain_text("1,234 signatures")
