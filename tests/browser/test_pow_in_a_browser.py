"""The proof of work in a real browser: solved unseen while the signer types, and never
in the way when it is missing."""

from __future__ import annotations

import base64
import json
import re

import pytest
from playwright.sync_api import Page, expect

from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature

PAYLOAD = re.compile(r"^[A-Za-z0-9+/]{100,}={0,2}$")


def sign_and_wait(page: Page) -> None:
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")


@pytest.mark.browser
def test_a_browser_solves_the_challenge_and_its_signature_carries_no_risk(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)  # focusing the first field starts the work
    proof = page.locator("#sign form input[type=hidden][name=altcha]")
    expect(proof).to_have_value(PAYLOAD)
    solution = json.loads(base64.b64decode(proof.input_value()))["solution"]
    print(f"solved counter {solution['counter']} in {solution['time']} ms")  # pytest -s
    sign_and_wait(page)
    assert "no-pow" not in Signature.objects.get().risk.split()
    assert problems == []  # no CSP violation, no script error


@pytest.mark.browser
def test_the_work_starts_when_the_form_is_used_and_shifts_nothing(
    page: Page, site: str, petition: Petition
):
    challenges = []
    page.on("request", lambda r: "/pow/challenge" in r.url and challenges.append(r.url))
    page.goto(site + petition.get_absolute_url())
    page.wait_for_timeout(2500)
    assert challenges == []  # a reader who only watches the count fetches nothing
    form = page.locator("#sign form")
    before = form.bounding_box()
    page.get_by_label("Full name").focus()
    expect(form.locator("input[name=altcha]")).to_have_value(PAYLOAD)
    assert form.bounding_box() == before


@pytest.mark.browser
def test_without_a_challenge_signing_works_the_same_and_is_marked(
    page: Page, site: str, petition: Petition, fill_sign_form
):
    page.route("**/pow/challenge", lambda route: route.abort())
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    sign_and_wait(page)
    assert "no-pow" in Signature.objects.get().risk.split()
