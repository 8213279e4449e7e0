"""The README's pictures, taken of the demo petition that `make run` makes.

They land in var/screenshots/docs/ like every other screenshot; `make screenshots` copies
them over docs/screenshots/. A test run never writes outside var/.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition

pytestmark = pytest.mark.browser

PHONE = (360, 780)
DESKTOP = (1280, 900)


@pytest.fixture
def demo(db, settings, tmp_path) -> Petition:
    settings.VAR_DIR = tmp_path  # the staff password file stays out of the work tree
    call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Petition.objects.order_by("pk").first()


def test_the_readme_pictures_show_the_demo_petition(browser_page, site, demo, screenshots):
    shots = screenshots / "docs"
    shots.mkdir(exist_ok=True)
    names = ["petition", "petition-phone", "petition-hy", "dashboard-top"]
    for name in names:
        (shots / f"{name}.png").unlink(missing_ok=True)  # no stale picture passes
    url = site + demo.get_absolute_url()

    page = browser_page(size=DESKTOP)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    page.screenshot(path=shots / "petition.png")

    page = browser_page(size=PHONE)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    page.screenshot(path=shots / "petition-phone.png", full_page=True)

    page = browser_page(size=DESKTOP)
    page.goto(site + "/")
    page.goto(url)
    page.locator("#language-select").select_option("hy")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "hy")
    page.screenshot(path=shots / "petition-hy.png")

    organizer = User.objects.get(email="organizer@example.org")
    page = browser_page(organizer, size=DESKTOP)
    page.goto(f"{site}/petitions/{demo.pk}/dashboard")
    expect(page.locator("#figures")).to_be_visible()
    page.screenshot(path=shots / "dashboard-top.png")
    for name in names:
        assert (shots / f"{name}.png").stat().st_size > 0
