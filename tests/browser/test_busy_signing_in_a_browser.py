"""A signer who presses "Sign" at the moment a crowd fills every server: the site answers
a fast 503 (web/frontdoor.FrontDoor), and the form sends the signature again by itself
(static/js/sign.js) instead of leaving them on an error page to type it all again.

The 503s are played by the browser's router: Django's test server has no front door.
The browser's clock is driven by the test, so the waits between tries take no time.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, Route, expect
from support import SIGNER

from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature

BUSY = {"status": 503, "headers": {"Retry-After": "2"}, "body": "Very busy just now"}


def answer_busy(page: Page, times: int) -> list[str]:
    """The next `times` sign POSTs get a 503; later ones reach the site. Returns a list
    that grows by one for every sign POST the browser makes."""
    seen: list[str] = []

    def handle(route: Route) -> None:
        seen.append(route.request.method)
        if len(seen) <= times:
            route.fulfill(**BUSY)
        else:
            route.continue_()

    page.route("**/sign", handle)
    return seen


def run_clock_until(page: Page, done, seconds: float = 10) -> None:
    """Moves the page's clock on a minute at a time until `done`. Each busy answer comes
    back through a real fetch, which sets the next timer some real milliseconds later, so
    a fixed number of clock steps can run ahead of the tries."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the browser did not get there in time"
        page.clock.run_for(60_000)
        page.wait_for_timeout(20)


@pytest.mark.browser
def test_a_busy_answer_is_tried_again_until_the_signature_is_in(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.clock.install()
    tries = answer_busy(page, times=2)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()

    status = page.locator("#sign").get_by_role("status")
    expect(status).to_contain_text("Very busy just now: your signature is not in yet.")
    expect(status).to_contain_text("keep this page open")
    assert Signature.objects.count() == 0

    run_clock_until(page, lambda: len(tries) == 3)
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    # The address is echoed from the cookie the (fetched) redirect set.
    expect(page.get_by_role("main")).to_contain_text(
        f"We have sent a link to {SIGNER['email']} to confirm"
    )
    assert tries == ["POST", "POST", "POST"]
    assert Signature.objects.filter(email=SIGNER["email"]).count() == 1


@pytest.mark.browser
def test_pressing_again_while_it_waits_sends_one_signature(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.clock.install()
    tries = answer_busy(page, times=1)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    button = page.get_by_role("button", name="Sign this petition")
    button.click()
    expect(page.locator("#sign").get_by_role("status")).to_contain_text("Very busy")
    button.click()  # impatient: the button is never disabled, but the form is on its way
    button.click()
    assert tries == ["POST"]

    page.clock.run_for(60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert tries == ["POST", "POST"]
    assert Signature.objects.count() == 1


@pytest.mark.browser
def test_after_two_minutes_of_busy_answers_the_signer_is_told_and_keeps_their_answers(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.clock.install()
    tries = answer_busy(page, times=8)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    button = page.get_by_role("button", name="Sign this petition")
    button.click()
    status = page.locator("#sign").get_by_role("status")
    run_clock_until(page, lambda: "Still too busy" in (status.text_content() or ""))
    expect(status).to_contain_text("Still too busy: your signature is not in yet.")
    assert len(tries) == 8
    expect(page.get_by_label("Full name")).to_have_value(SIGNER["name"])
    assert Signature.objects.count() == 0

    button.click()  # a minute later the site has room again
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert Signature.objects.count() == 1


@pytest.mark.browser
def test_no_connection_is_tried_again_too(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.clock.install()
    failed: list[bool] = []

    def cut_once(route: Route) -> None:
        if failed:
            route.continue_()
        else:
            failed.append(True)
            route.abort("internetdisconnected")

    page.route("**/sign", cut_once)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.locator("#sign").get_by_role("status")).to_contain_text(
        "We could not reach the site"
    )
    page.clock.run_for(60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert Signature.objects.count() == 1
