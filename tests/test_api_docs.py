"""The API's documentation page: Swagger UI from this site's own files, nothing external."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core import checks

CHROMIUM = Path("/usr/bin/chromium")


def test_ninjas_static_files_are_installed():
    assert [m.id for m in checks.run_checks() if m.id.startswith("api.")] == []


@pytest.mark.browser
def test_the_docs_page_renders_every_operation_without_leaving_the_site(live_server, settings):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # see tests/browser/conftest.py
    settings.DEBUG = True
    requested, problems = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        operations = page.locator(".opblock").count()
        browser.close()
    assert operations == 6
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert problems == []  # no Content-Security-Policy refusals either
