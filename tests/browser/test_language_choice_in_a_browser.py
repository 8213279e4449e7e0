"""A visitor who switches language gets the page in that language at once, although
public pages are cached (by the browser too: `max-age` and `stale-while-revalidate`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_after_switching_language_the_cached_page_comes_back_in_that_language(
    page, site, petition, settings
):
    settings.PAGE_CACHE_SECONDS = 2
    url = site + petition.get_absolute_url()
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(site + "/")  # the English copies are now in the browser's cache
    page.goto(url)
    page.locator("#language-select").select_option("fr")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.go_back()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("#language-select").select_option("en")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
