"""A signer in a real browser: sign, confirm from the e-mail, see the count rise;
mistakes are announced; the keyboard alone is enough."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support import SIGNER, run_queued_tasks

from undersigned.petitions.models import Petition


def visible_count(page: Page):
    """The count the visitor sees (the page has one for phones and one for desktops)."""
    return page.locator(".count-number").filter(visible=True)


@pytest.mark.browser
def test_a_person_signs_confirms_by_email_and_sees_the_count_rise(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.goto(site + petition.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(petition.title)
    # at zero the count invites the first signature instead of saying "0 have signed"
    expect(page.locator(".count").filter(visible=True)).to_have_text("Be the first to sign")
    sign_button = page.get_by_role("button", name="Sign this petition")
    expect(sign_button).to_be_visible()

    fill_sign_form(page)
    sign_button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    expect(page.get_by_role("main")).to_contain_text(
        f"We have sent a link to {SIGNER['email']} to confirm"
    )

    assert run_queued_tasks() == 1
    page.goto(site + "/outbox/")
    newest = page.locator("table tbody tr").first
    expect(newest).to_contain_text(SIGNER["email"])
    newest.get_by_role("link").click()
    page.get_by_text("Text version").click()  # the text part, one click away
    expect(page.locator(".letter-text")).to_contain_text(petition.title)
    page.frame_locator(".letter-html").locator("a[href*='/confirm/']").first.click()

    expect(page.get_by_role("main")).to_contain_text("You are signing")
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you — your signature is confirmed"
    )
    expect(page.locator("main .count-number")).to_have_text("1")

    page.goto(site + petition.get_absolute_url())
    expect(visible_count(page)).to_have_text("1")
    expect(page.locator(".signers")).to_contain_text("Anahit K.")
    expect(page.locator(".signers")).not_to_contain_text("Karapetyan")


@pytest.mark.browser
def test_form_errors_are_announced_and_focusable(page: Page, site: str, petition: Petition):
    page.goto(site + petition.get_absolute_url())
    page.get_by_label("Country").select_option("")  # the browser's language preselects one
    page.get_by_role("button", name="Sign this petition").click()

    expect(page).to_have_title(re.compile(r"^Error:"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # so a screen reader reads it first
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    for link in links.all():
        field = page.locator(link.get_attribute("href"))
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = field.get_attribute("id") + "-error"
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
        expect(page.locator(f"#{error_id}")).to_have_text(re.compile(r"^Error:"))
        link.click()
        expect(field).to_be_focused()
    expect(page.get_by_label("Postcode (optional)")).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.browser
def test_after_a_mistake_the_next_page_does_not_keep_the_error_anchor(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.goto(site + petition.get_absolute_url())
    page.get_by_label("Country").select_option("")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page).to_have_url(re.compile(r"#error-summary$"))
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert "error-summary" not in page.url  # a redirect keeps the old anchor unless it names one


@pytest.mark.browser
def test_a_keyboard_user_can_sign_with_tab_and_enter_alone(
    page: Page, site: str, petition: Petition
):
    page.goto(site + petition.get_absolute_url())
    keyboard = page.keyboard
    keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # shown when focused, hidden otherwise
    keyboard.press("Enter")

    name = page.get_by_label("Full name")
    for _stop in range(30):  # past the petition's links, to the form
        keyboard.press("Tab")
        if name.evaluate("input => input === document.activeElement"):
            break
    expect(name).to_be_focused()
    keyboard.type(SIGNER["name"])
    keyboard.press("Tab")
    expect(page.get_by_label("E-mail address")).to_be_focused()
    keyboard.type(SIGNER["email"])
    keyboard.press("Tab")
    country = page.get_by_label("Country")
    expect(country).to_be_focused()
    keyboard.type("Armenia")  # a closed select jumps to the option typed
    expect(country).to_have_value("AM")
    keyboard.press("Tab")
    expect(page.get_by_label("Postcode (optional)")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label("Why are you signing?")).to_be_focused()
    keyboard.type(SIGNER["comment"])
    keyboard.press("Tab")
    public = page.get_by_label("Show my name publicly")
    expect(public).to_be_focused()
    keyboard.press("Space")
    expect(public).to_be_checked()
    keyboard.press("Tab")
    expect(page.get_by_label("E-mail me updates")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label("Let the organizers e-mail me")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_role("link", name="How we protect your data")).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign this petition")).to_be_focused()
    keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    expect(page.get_by_role("main")).to_contain_text(SIGNER["email"])
