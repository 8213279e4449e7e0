"""A real browser against the live server: Debian's Chromium, driven by Playwright.

No browser is ever downloaded: the tests skip, saying why, when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support import SIGNER, run_queued_tasks

from undersigned.lib.outbox import letters
from undersigned.signatures import actions
from undersigned.signatures.models import Signature

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from undersigned.accounts.models import User

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API keeps an asyncio loop marked as running in this thread, so Django
# takes every ORM call made from a test (make_petition, run_queued_tasks, the database
# flush after each test) for a call from async code and refuses it with
# SynchronousOnlyOperation. Nothing here is async: the live server answers from its own
# thread, and the test only calls the database while Playwright waits for nothing.
# Set for the whole process, not per test: the browser lives for the session, so the loop
# stays marked as running for every test that runs after the first browser test.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: `apt-get install chromium` (never `playwright install`)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server's address, with the outbox on and e-mail links pointing back at it."""
    settings.DEBUG = True  # the /outbox/ pages exist only in DEBUG
    settings.EMAIL_BACKEND = "undersigned.lib.outbox.OutboxBackend"  # not the runner's locmem
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def open_page(browser, site) -> Iterator[Callable]:
    """open_page(width, height): a fresh page, with its own cookies, in a window that size."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def fill_sign_form() -> Callable:
    """fill_sign_form(page, **changes): type SIGNER's details into the petition's form."""

    def fill(page, **changes) -> None:
        signer = {**SIGNER, **changes}
        form = page.locator("#sign form")
        form.get_by_label("Full name").fill(signer["name"])
        form.get_by_label("E-mail address").fill(signer["email"])
        form.get_by_label("Country").select_option(signer["country"])
        form.get_by_label("Why are you signing?").fill(signer["comment"])
        form.get_by_label("Show my name publicly").check()

    return fill


@pytest.fixture
def confirm_by_email() -> Callable:
    """confirm_by_email(): send the queued e-mails, then follow every confirmation link in
    the outbox, as each signer would; returns how many signatures that confirmed."""

    def confirm() -> int:
        run_queued_tasks()
        confirmed = 0
        for letter in letters():
            for key, secret in re.findall(r"/confirm/(\d+)\.([\w-]+)", letter.text):
                signature = Signature.objects.get(pk=key)
                if signature.token_matches(secret):
                    confirmed += actions.confirm_signature(signature, secret) is not None
        actions.refresh_counts()  # listings show the stored count, refreshed by the clock
        return confirmed

    return confirm


DESKTOP = (1280, 900)


@pytest.fixture
def browser_page(browser, site) -> Iterator[Callable]:
    """browser_page(user=None, size, scheme, audit=False, javascript=True): a fresh page,
    signed in as `user` when given (its session cookie set directly, no e-mailed link);
    `audit` lets axe's script past the CSP (those pages cannot tell us about the CSP)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def open_page(user=None, size=DESKTOP, scheme="light", audit=False, javascript=True):
        width, height = size
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB",
            bypass_csp=audit, color_scheme=scheme, accept_downloads=True,
            java_script_enabled=javascript,
        )  # fmt: skip
        context.set_default_timeout(15_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}]
            )
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def audit_page(browser_page) -> Callable:
    """audit_page(size, scheme="light", user=None): a fresh page whose context lets axe's
    script in past the Content-Security-Policy (for these audits only), signed in as
    `user` when given."""

    def open_audit_page(size=DESKTOP, scheme="light", user: User | None = None) -> Page:
        return browser_page(user, size, scheme, audit=True)

    return open_audit_page


@pytest.fixture
def signed_in_page(browser_page) -> Callable:
    """signed_in_page(user, size, scheme, audit=False)."""
    return browser_page
