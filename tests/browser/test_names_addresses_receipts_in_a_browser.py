"""#21, as a signer meets it in a browser: a name of emoji alone is refused, a mixed one is
shown as "Ani H."; "Did you mean …@gmail.com?" is asked before signing, with JavaScript
and without, and either answer signs; the receipt's entry number and code are found on
the petition's log page."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect
from support import SIGNER, run_queued_tasks

from undersigned.lib.outbox import letters

pytestmark = pytest.mark.browser

MIXED = "Ani 🇦🇲 Hakobyan ✊🏽"
PHONE, DESKTOP = (360, 800), (1280, 900)
CONFIRM_LINK = re.compile(r"https?://\S+/confirm/\S+")


@pytest.fixture
def new_page(browser, site):
    """new_page(size, javascript=True): a fresh page with cookies of its own."""
    contexts = []

    def new_page(size=DESKTOP, javascript: bool = True):
        width, height = size
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB",
            java_script_enabled=javascript,
        )  # fmt: skip
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def test_a_name_of_emoji_alone_is_refused_with_an_error(new_page, site, petition, fill_sign_form):
    page = new_page()
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page, name="😀🔥✊🏽")
    page.get_by_role("button", name="Sign this petition").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your full name in letters, for example")
    expect(page.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")


def test_a_mixed_name_is_shown_as_ani_h_once_confirmed(
    new_page, site, petition, fill_sign_form, confirm_by_email
):
    page = new_page()
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page, name=MIXED)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert confirm_by_email() == 1
    page.goto(site + petition.get_absolute_url())
    signers = page.locator(".signers")
    expect(signers).to_contain_text("Ani H.")
    expect(signers).not_to_contain_text("✊")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(
    ("button", "used"),
    [("Use anahit@gmail.com", "anahit@gmail.com"), ("No, my address is right", "anahit@gmial.com")],
)
def test_a_typo_is_asked_about_and_either_answer_signs(
    new_page, site, petition, fill_sign_form, javascript, button, used
):
    page = new_page(javascript=javascript)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page, email="anahit@gmial.com")
    page.get_by_role("button", name="Sign this petition").click()
    question = page.get_by_role("group", name="Did you mean anahit@gmail.com?")
    expect(question).to_be_visible()
    if javascript:
        expect(question).to_be_focused()  # read out first, like an error summary
    expect(page.get_by_label("Full name")).to_have_value(SIGNER["name"])  # answers kept
    expect(page.get_by_label("Why are you signing?")).to_have_value(SIGNER["comment"])
    question.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    expect(page.get_by_role("main")).to_contain_text(f"We have sent a link to {used} to confirm")
    run_queued_tasks()
    assert [letter.to for letter in letters() if "/confirm/" in letter.text] == [used]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_a_field_after_the_question_uses_the_suggested_address(
    new_page, site, petition, fill_sign_form, javascript
):
    page = new_page(javascript=javascript)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page, email="anahit@gmial.com")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("group", name="Did you mean anahit@gmail.com?")).to_be_visible()
    page.get_by_label("Full name").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    run_queued_tasks()
    assert [letter.to for letter in letters() if "/confirm/" in letter.text] == ["anahit@gmail.com"]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["360", "1280"])
def test_screenshots_of_the_question(new_page, site, petition, fill_sign_form, screenshots, size):
    page = new_page(size)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page, email="anahit.karapetyan.yerevan@gmial.com")
    page.get_by_role("button", name="Sign this petition").click()
    question = page.locator(".email-question")
    expect(question).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0], "the question makes the page scroll sideways"
    page.locator("#sign").screenshot(path=screenshots / f"sign-email-question-{size[0]}.png")


def test_the_receipts_number_and_code_are_found_on_the_petitions_log_page(
    new_page, site, petition, fill_sign_form, screenshots
):
    page = new_page()
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    run_queued_tasks()
    (link,) = [found for letter in letters() for found in CONFIRM_LINK.findall(letter.text)]
    page.goto(link)
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("button", name="E-mail me my receipt").click()
    expect(page.get_by_role("status").filter(has_text="Asked.")).to_be_visible()
    run_queued_tasks()  # the worker numbers the entry and writes the receipt
    receipt = letters()[0]
    assert receipt.subject.startswith("Your receipt")
    number = re.search(r"It is entry number (\d+) of the petition’s public log", receipt.text)[1]
    code = re.search(r"^([0-9a-f]{48})$", receipt.text, re.M)[1]
    for width, height in (PHONE, DESKTOP):
        shot = new_page((width, height))
        shot.goto(f"{site}/outbox/{receipt.name}")
        shot.screenshot(path=screenshots / f"receipt-letter-{width}.png", full_page=True)

    entry_link = re.search(r"https?://\S+/log\?entry=\d+#found", receipt.text).group(0)
    page.goto(entry_link)
    row = page.locator("#found")
    expect(row).to_be_in_viewport()
    expect(row.get_by_role("rowheader")).to_have_text(number)
    expect(row).to_contain_text(hashlib.sha256(bytes.fromhex(code)).hexdigest())

    page.get_by_label("Entry number", exact=True).fill(number)
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Check my receipt").click()
    expect(page.get_by_role("main")).to_contain_text(f"Entry number {number} is in the log")
    for width, height in (PHONE, DESKTOP):
        shot = new_page((width, height))
        shot.goto(entry_link)
        assert shot.evaluate("document.documentElement.scrollWidth") <= width
        shot.screenshot(path=screenshots / f"receipt-log-entry-{width}.png")
        shot.screenshot(path=screenshots / f"receipt-log-page-{width}.png", full_page=True)
        shot.goto(page.url)
        shot.screenshot(path=screenshots / f"receipt-check-{width}.png", full_page=True)
