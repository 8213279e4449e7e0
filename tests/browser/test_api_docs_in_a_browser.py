"""The API's documentation page: Swagger UI from this site's own files, nothing external."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_every_operation_without_leaving_the_site(page, site):
    requested, problems = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{site}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() == 7
    assert [url for url in requested if not url.startswith(site)] == []
    assert problems == []  # no Content-Security-Policy refusals either
