"""Sharing in a real browser: the widget inside a page of ANOTHER site (another origin and
another site: 127.0.0.1 against the live server's localhost) shows the count, fits its
height and lets people sign; axe finds nothing serious on the embed, light or dark
(the last item of issue #6); screenshots for the docs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe import assert_no_serious_violations
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect
from support import SIGNER, make_petition

from undersigned.petitions.models import Petition
from undersigned.sharing import links
from undersigned.signatures.models import CountShard, Signature

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def partner_site() -> Iterator[Callable[[str], str]]:
    """partner_site(html): serve that page from another origin; returns its address."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html: str) -> str:
        path = f"/page{len(pages)}.html"
        pages[path] = html.encode()
        return f"http://127.0.0.1:{server.server_port}{path}"

    yield serve
    server.shutdown()
    server.server_close()


def partner_page(*snippets: str) -> str:
    widgets = "\n".join(f"<h2>Widget {i}</h2>\n{s}" for i, s in enumerate(snippets, 1))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Riverside Friends of the Library</title></head>"
        "<body style='font-family:Georgia,serif;max-width:760px;margin:24px auto;padding:0 16px'>"
        "<h1>Riverside Friends of the Library</h1><p>Our campaign, on our own site:</p>"
        f"{widgets}<p>Thank you for your support.</p></body></html>"
    )


def with_signatures(petition: Petition, count: int) -> None:
    shard, _new = CountShard.objects.get_or_create(petition=petition, shard=0)
    CountShard.objects.filter(pk=shard.pk).update(count=count)
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shared_petition(organizer, moderator) -> Petition:
    petition = make_petition(
        organizer, moderator, goal=500, text="The council cut **Sunday hours** in March."
    )
    with_signatures(petition, 137)
    return petition


def test_the_widget_shows_the_count_inside_a_page_of_another_site(
    open_page, site, shared_petition, partner_site
):
    assert urlsplit(site).hostname != "127.0.0.1"  # so the partner really is another site
    url = partner_site(partner_page(links.iframe_snippet(shared_petition)))
    page = open_page(1000, 900)
    page.goto(url)
    frame = page.frame_locator("iframe")
    expect(frame.locator(".count-number")).to_have_text("137")
    expect(frame.get_by_role("heading", level=1)).to_contain_text(shared_petition.title)
    expect(frame.locator("progress.goal-bar")).to_have_attribute("max", "500")
    link = frame.get_by_role("link", name="Sign this petition")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", shared_petition.absolute_url() + "?source=embed")


def test_the_script_inserts_the_widget_and_fits_its_height(
    open_page, site, shared_petition, partner_site
):
    url = partner_site(partner_page(links.script_snippet(shared_petition)))
    page = open_page(1000, 900)
    page.goto(url)
    iframe = page.locator("iframe")
    expect(iframe).to_have_attribute("src", links.embed_url(shared_petition))
    expect(iframe).to_have_attribute("title", f"Petition: {shared_petition.title}")
    expect(page.frame_locator("iframe").locator(".count-number")).to_have_text("137")
    # The frame reports its content's height; the loader takes it (340 px at first).
    page.wait_for_function(
        "() => document.querySelector('iframe').style.height !== ''", timeout=5000
    )
    inner = (
        page.frame_locator("iframe")
        .locator("html")
        .evaluate("el => Math.ceil(el.getBoundingClientRect().height)")
    )
    height = iframe.evaluate("el => parseInt(el.style.height, 10)")
    assert abs(height - max(120, inner)) <= 2, (height, inner)


def test_a_message_from_another_origin_cannot_resize_the_widget(
    open_page, site, shared_petition, partner_site
):
    url = partner_site(partner_page(links.script_snippet(shared_petition)))
    page = open_page()
    page.goto(url)
    expect(page.frame_locator("iframe").locator(".count-number")).to_have_text("137")
    page.wait_for_function("() => document.querySelector('iframe').style.height !== ''")
    before = page.locator("iframe").evaluate("el => el.style.height")
    page.evaluate("window.postMessage({type: 'undersigned:embed-height', height: 3000}, '*')")
    page.wait_for_timeout(300)
    assert page.locator("iframe").evaluate("el => el.style.height") == before


def test_a_person_signs_from_the_widget_on_another_site(
    open_page, site, shared_petition, partner_site
):
    """The form in the frame posts to the sign view in a new, top-level tab: there the
    Origin check passes (the form is ours), the next page may be shown (it refuses to be
    framed) and the cookie that echoes the address is first-party."""
    url = partner_site(partner_page(links.iframe_snippet(shared_petition, with_form=True)))
    page = open_page(1000, 1200)
    page.goto(url)
    frame = page.frame_locator("iframe")
    form = frame.locator("#sign form")
    form.get_by_label("Full name").fill(SIGNER["name"])
    form.get_by_label("E-mail address").fill(SIGNER["email"])
    form.get_by_label("Country").select_option(SIGNER["country"])
    with page.context.expect_page() as new_tab:
        form.get_by_role("button", name="Sign this petition").click()
    tab = new_tab.value
    tab.wait_for_load_state()
    expect(tab.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    expect(tab.get_by_role("main")).to_contain_text(
        f"We have sent a link to {SIGNER['email']} to confirm"
    )
    signature = Signature.objects.get(petition=shared_petition)
    assert signature.source == "embed"


def audit(browser, site: str, scheme: str, size=(480, 700)):
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, locale="en-GB",
        bypass_csp=True, color_scheme=scheme,
    )  # fmt: skip
    context.set_default_timeout(10_000)
    return context


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("query", ["", "?form=1"], ids=["button", "form"])
def test_axe_finds_nothing_serious_on_the_embed(browser, site, shared_petition, scheme, query):
    context = audit(browser, site, scheme)
    try:
        page = context.new_page()
        page.goto(links.embed_url(shared_petition) + query)
        expect(page.locator(".count-number")).to_have_text("137")
        assert_no_serious_violations(page, f"the embed{query} ({scheme})")
    finally:
        context.close()


def test_axe_finds_nothing_serious_on_the_share_panel_and_kit(
    browser, site, shared_petition, organizer
):
    context = audit(browser, site, "light", size=(1280, 900))
    try:
        page = context.new_page()
        page.goto(site + shared_petition.get_absolute_url())
        expect(page.locator(".share-panel")).to_be_visible()
        assert_no_serious_violations(page, "the petition page's share panel")
        sign_in(context, site, organizer)
        page.goto(site + f"/petitions/{shared_petition.pk}/dashboard/sharing")
        expect(page.locator(".share-kit")).to_be_visible()
        assert_no_serious_violations(page, "the dashboard's share kit")
    finally:
        context.close()


def sign_in(context, site: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": site}]
    )


def test_screenshots_of_sharing_are_saved_for_the_docs(
    browser, open_page, site, shared_petition, partner_site, organizer
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    names = ["sharing-embed-partner", "sharing-embed-dark", "sharing-panel", "sharing-kit"]
    for name in names:
        (SHOTS / f"{name}.png").unlink(missing_ok=True)  # no stale picture passes

    url = partner_site(
        partner_page(
            links.iframe_snippet(shared_petition), links.script_snippet(shared_petition, True)
        )
    )
    page = open_page(1000, 1400)
    page.goto(url)
    expect(page.frame_locator("iframe").first.locator(".count-number")).to_have_text("137")
    page.wait_for_function("() => document.querySelectorAll('iframe')[1].style.height !== ''")
    page.screenshot(path=SHOTS / "sharing-embed-partner.png", full_page=True)

    dark = browser.new_context(viewport={"width": 420, "height": 330}, color_scheme="dark")
    try:
        frame_page = dark.new_page()
        frame_page.goto(links.embed_url(shared_petition))
        frame_page.screenshot(path=SHOTS / "sharing-embed-dark.png")
    finally:
        dark.close()

    page = open_page(1280, 900)
    page.goto(site + shared_petition.get_absolute_url())
    page.locator(".share-panel").screenshot(path=SHOTS / "sharing-panel.png")

    sign_in(page.context, site, organizer)
    page.goto(site + f"/petitions/{shared_petition.pk}/dashboard/sharing")
    page.locator(".share-kit").screenshot(path=SHOTS / "sharing-kit.png")
    for name in names:
        assert (SHOTS / f"{name}.png").stat().st_size > 0
