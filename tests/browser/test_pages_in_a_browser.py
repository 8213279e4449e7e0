"""Pages in a real browser: everything from this site, fitting a small phone, and
screenshots of the main pages (saved to var/screenshots/ for CI to keep)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from support import make_petition, run_queued_tasks

from undersigned.lib.outbox import letters
from undersigned.petitions.models import Petition
from undersigned.signatures import actions

LONG_TITLE = (
    "Restore Sunday opening hours at the Riverside Central Library and all neighbourhood "
    "branch libraries"
)
LONG_TEXT = (
    "The Riverside libraries closed on Sundays in 2023. **Please restore them.**\n\n"
    "Our children's favourite word is Rechtsschutzversicherungsgesellschaftenbibliothekskarte, "
    "and our favourite page is https://example.org/riverside/libraries/sunday-opening-hours/"
    "petition-evidence-and-figures-2023-2024.pdf\n\n"
    "> Libraries are the last free indoor places in the city.\n\n"
    "- Families with young children\n- Students before exams\n- People who work all week"
)
PHONE = (360, 740)
DESKTOP = (1280, 900)
SIGNERS = [
    ("Anahit Karapetyan", "AM", "Libraries matter."),
    ("Marie Dubois", "FR", ""),
    ("Tomás Ó Briain", "IE", "I study there every weekend; Sundays are the only quiet day."),
    ("Lena Aramyan", "AM", "My children learned to read there."),
]


def sign_as(petition: Petition, name: str, country: str, comment: str) -> None:
    email = f"{name.split()[-1].lower()}@example.org"
    request = actions.SignRequest(name, email, country, comment=comment, public=True)
    actions.sign_petition(petition, request)


@pytest.fixture
def signed_petition(site, organizer, moderator, confirm_by_email) -> Petition:
    """An open petition with a long title, long words, and a few confirmed signatures
    (after `site`, so that their e-mails land in the outbox)."""
    petition = make_petition(organizer, moderator, title=LONG_TITLE, text=LONG_TEXT, goal=500)
    for signer in SIGNERS:
        sign_as(petition, *signer)
    assert confirm_by_email() == len(SIGNERS)
    return petition


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.browser
def test_pages_make_no_requests_to_other_hosts(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(site + "/")
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("check your e-mail")
    run_queued_tasks()
    page.goto(re.search(r"https?://\S+/confirm/\S+", letters()[0].text).group())
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you — your signature is confirmed"
    )
    expect(page.locator("main .count-number")).to_have_text("1")
    page.goto(site + petition.get_absolute_url())
    expect(page.locator(".signers")).to_contain_text("Anahit K.")

    assert any(url.endswith(".css") for url in requested), requested
    here = urlsplit(site).netloc
    assert [url for url in requested if urlsplit(url).netloc != here] == []


@pytest.mark.browser
def test_pages_find_their_stylesheet_and_every_other_file_they_ask_for(
    page: Page, site: str, petition: Petition
):
    failed: list[str] = []

    def note_failure(response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", note_failure)
    page.goto(site + "/")
    page.goto(site + petition.get_absolute_url())
    assert not failed, "these requests failed:\n" + "\n".join(failed)


@pytest.mark.browser
def test_the_petition_page_fits_a_360px_phone(open_page, site: str, signed_petition: Petition):
    page = open_page(*PHONE)
    page.goto(site + "/")
    expect(page.get_by_role("link", name=LONG_TITLE).first).to_be_visible()
    assert scroll_width(page) <= PHONE[0]

    page.goto(site + signed_petition.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(LONG_TITLE)
    expect(page.locator(".petition-text")).to_contain_text("Rechtsschutz")
    assert scroll_width(page) <= PHONE[0]


@pytest.mark.browser
def test_the_outbox_and_its_letters_fit_a_360px_phone(
    open_page, site: str, signed_petition: Petition
):
    # What `make run` shows a newcomer first: long subjects and addresses must wrap.
    page = open_page(*PHONE)
    page.goto(site + "/outbox/")
    expect(page.locator(".outbox td").first).to_be_visible()
    assert scroll_width(page) <= PHONE[0]
    page.locator("main a[href^='/outbox/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert scroll_width(page) <= PHONE[0]


@pytest.mark.browser
def test_screenshots_of_the_main_pages_are_saved_for_review(
    open_page, site: str, signed_petition: Petition, screenshots, fill_sign_form, confirm_by_email
):
    """Not a check of pixels: pictures for people reviewing a change (CI keeps them)."""
    names = ["petition-phone", "petition-desktop", "home-desktop", "thanks-phone"]
    for name in names:
        (screenshots / f"{name}.png").unlink(missing_ok=True)  # no stale picture passes
    url = site + signed_petition.get_absolute_url()
    for name, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
        page = open_page(*viewport)
        page.goto(url)
        expect(page.locator(".count-number").filter(visible=True)).to_have_text("4")
        page.screenshot(path=screenshots / f"petition-{name}.png", full_page=True)

    page = open_page(*DESKTOP)
    page.goto(site + "/")
    expect(page.get_by_role("link", name=LONG_TITLE).first).to_be_visible()
    page.screenshot(path=screenshots / "home-desktop.png", full_page=True)

    page = open_page(*PHONE)
    page.goto(url)
    fill_sign_form(page, email="thanks@example.org")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("check your e-mail")
    run_queued_tasks()
    page.goto(site + "/outbox/")
    page.locator("table tbody tr").first.get_by_role("link").click()
    page.frame_locator(".letter-html").locator("a[href*='/confirm/']").first.click()
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you — your signature is confirmed"
    )
    expect(page.locator("main .count-number")).to_have_text("5")
    page.screenshot(path=screenshots / "thanks-phone.png", full_page=True)

    for name in names:
        assert (screenshots / f"{name}.png").stat().st_size > 0
