"""What a new signer meets first: the "check your e-mail" page without a glowing frame,
and an ordinary address that fits its box on a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOP = (1280, 900)


def test_after_signing_focus_is_on_the_page_without_a_box_around_it(
    open_page, site, petition, fill_sign_form
):
    page = open_page(*DESKTOP)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page).to_have_url(f"{site}/petitions/{petition.pk}/signed#main")
    main = page.locator("main")
    assert main.evaluate("element => element === document.activeElement")  # for readers
    style = main.evaluate(
        "element => { const s = getComputedStyle(element); return [s.outlineStyle, s.boxShadow]; }"
    )
    assert style == ["none", "none"]


@pytest.mark.parametrize("width", [1280, 900])
def test_an_ordinary_address_fits_the_sign_forms_box_on_a_desktop(open_page, site, petition, width):
    page = open_page(width, 900)
    page.goto(site + petition.get_absolute_url())
    field = page.locator("#sign form").get_by_label("E-mail address")
    field.fill("anahit.petrosyan@gmail.com")
    assert field.evaluate("input => input.scrollWidth <= input.clientWidth"), (
        "the address is cut in its box"
    )
