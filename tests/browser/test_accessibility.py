"""Accessibility in a real browser: axe-core finds no serious or critical WCAG 2.2 A/AA
violation on the pages people use, in light and dark, on a phone and a desktop; the count
is not a live region; text grows to 200 % without sideways scrolling; motion is reduced
on request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe import assert_no_serious_violations
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from support import SIGNER, make_petition, run_queued_tasks

from undersigned.accounts.actions import make_sign_in_token
from undersigned.lib.outbox import letters
from undersigned.petitions.models import Petition
from undersigned.signatures import actions

PHONE = (360, 740)
DESKTOP = (1280, 900)
# Each page is audited at both widths and in both schemes, in two pairs rather than all
# four: layout follows the width and colours the scheme, and an audit costs most of a
# second of CPU (axe's colour-contrast rule), which the whole matrix doubled in CI.
VIEWS = pytest.mark.parametrize(
    ("size", "scheme"), [(DESKTOP, "light"), (PHONE, "dark")], ids=["desktop-light", "phone-dark"]
)


def confirm_link() -> str:
    """The confirmation link in the outbox (send the queued e-mails first)."""
    run_queued_tasks()
    links = [
        match.group()
        for letter in letters()
        if (match := re.search(r"https?://\S+/confirm/[\w-]+\.[\w-]+", letter.text))
    ]
    assert len(links) == 1, links
    return links[0]


@pytest.mark.browser
def test_axe_runs_and_reports_what_it_finds(audit_page, site):
    """The harness itself: a page broken on purpose fails (so a pass means something)."""
    page = audit_page()
    page.goto(site + "/privacy")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/favicon.svg"><input type="text">\')'
    )
    with pytest.raises(AssertionError, match=r"image-alt[\s\S]*label"):
        assert_no_serious_violations(page, "a page broken on purpose")


# Pages anyone can see ----------------------------------------------------------------


@pytest.mark.browser
@VIEWS
def test_home_page(audit_page, site, petition, size, scheme):
    page = audit_page(size, scheme)
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_violations(page, f"the home page ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_open_petition_page(audit_page, site, petition, size, scheme):
    page = audit_page(size, scheme)
    page.goto(site + petition.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(petition.title)
    assert_no_serious_violations(page, f"an open petition ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_closed_petition_page(audit_page, site, organizer, moderator, size, scheme):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    page = audit_page(size, scheme)
    page.goto(site + closed.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(closed.title)
    assert_no_serious_violations(page, f"a closed petition ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_petition_page_with_form_errors(audit_page, site, petition, size, scheme):
    page = audit_page(size, scheme)
    page.goto(site + petition.get_absolute_url())
    page.locator("#sign form").get_by_label("Country").select_option("")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_no_serious_violations(page, f"a petition with form errors ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_check_your_email_confirm_and_thank_you_pages(
    audit_page, site, petition, fill_sign_form, size, scheme
):
    page = audit_page(size, scheme)
    page.goto(site + petition.get_absolute_url())
    fill_sign_form(page)
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: check your e-mail")
    assert_no_serious_violations(page, f"check your e-mail ({scheme}, {size[0]}px)")

    page.goto(confirm_link())
    expect(page.get_by_role("main")).to_contain_text("You are signing")
    assert_no_serious_violations(page, f"the confirm page ({scheme}, {size[0]}px)")

    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you — your signature is confirmed"
    )
    expect(page.locator("main .count-number")).to_have_text("1")
    assert_no_serious_violations(page, f"the thank-you page ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_privacy_pages(audit_page, site, size, scheme):
    page = audit_page(size, scheme)
    page.goto(site + "/privacy")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_violations(page, f"the privacy policy ({scheme}, {size[0]}px)")
    page.goto(site + "/my-data")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_violations(page, f"/my-data ({scheme}, {size[0]}px)")


# Organizers and moderators -----------------------------------------------------------


@pytest.mark.browser
@VIEWS
def test_organizer_dashboard(audit_page, site, organizer, petition, size, scheme):
    make_petition(organizer, state=Petition.State.DRAFT, title="Safe crossings by the school")
    page = audit_page(size, scheme, user=organizer)
    page.goto(site + "/accounts/dashboard/")
    expect(page.get_by_role("main")).to_contain_text(petition.title)
    assert_no_serious_violations(page, f"the dashboard ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_new_petition_form_with_errors(audit_page, site, organizer, size, scheme):
    page = audit_page(size, scheme, user=organizer)
    page.goto(site + "/petitions/new")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_violations(page, f"the new-petition form ({scheme}, {size[0]}px)")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_no_serious_violations(page, f"the new-petition form with errors ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_moderation_queue_and_review(audit_page, site, organizer, moderator, size, scheme):
    waiting = make_petition(organizer, state=Petition.State.MODERATION)
    page = audit_page(size, scheme, user=moderator)
    page.goto(site + "/moderation/")
    expect(page.get_by_role("main")).to_contain_text(waiting.title)
    assert_no_serious_violations(page, f"the moderation queue ({scheme}, {size[0]}px)")
    page.goto(site + f"/moderation/{waiting.pk}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_violations(page, f"the review page ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_picture_page_with_errors(audit_page, site, organizer, size, scheme):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    page = audit_page(size, scheme, user=organizer)
    page.goto(site + f"/petitions/{draft.pk}/picture")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_violations(page, f"the picture page ({scheme}, {size[0]}px)")
    page.get_by_role("button", name="Upload the picture").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_no_serious_violations(page, f"the picture page with errors ({scheme}, {size[0]}px)")


# Live regions ------------------------------------------------------------------------

LIVE_ANCESTOR = """el => {
  for (let n = el; n; n = n.parentElement) {
    const role = n.getAttribute('role'), live = n.getAttribute('aria-live');
    if ((live && live !== 'off') || ['status', 'alert', 'log', 'marquee', 'timer'].includes(role)) {
      return n.outerHTML.slice(0, 200);
    }
  }
  return null;
}"""


@pytest.mark.browser
def test_the_polled_count_is_not_live_but_one_polite_status_announces_goals(
    page: Page, site: str, petition: Petition
):
    page.goto(site + petition.get_absolute_url())
    numbers = page.locator(".count-block .count")  # the number, or at zero the invitation
    assert numbers.count() >= 1
    for number in numbers.all():
        assert number.evaluate(LIVE_ANCESTOR) is None, "the polled count must not be announced"
    for bar in page.locator(".goal-bar").all():
        assert bar.evaluate(LIVE_ANCESTOR) is None, "the polled bar must not be announced"

    # Goal crossings and results: one polite status region, in the visible count block.
    block = page.locator("[data-count-url]").filter(visible=True)
    expect(block).to_have_count(1)
    status = block.locator("[role=status]")
    expect(status).to_have_count(1)
    expect(status).not_to_have_attribute("aria-live", re.compile("assertive|off"))
    expect(status).to_be_empty()  # nothing to announce when the page loads
    assert page.locator("[aria-live=assertive]").count() == 0


@pytest.mark.browser
def test_crossing_the_goal_is_announced_once_in_the_status(
    page: Page, site: str, organizer, moderator, confirm_by_email
):
    small = make_petition(organizer, moderator, goal=1)
    page.goto(site + small.get_absolute_url())
    block = page.locator("[data-count-url]").filter(visible=True)
    status = block.locator("[role=status]")
    expect(status).to_be_empty()

    request = actions.SignRequest(
        SIGNER["name"], SIGNER["email"], SIGNER["country"], comment="", public=True
    )
    actions.sign_petition(small, request)
    assert confirm_by_email() == 1
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # poll now
    expect(block.locator(".count-number")).to_have_text("1")
    expect(status).to_have_text(re.compile(r"\S"))  # the crossing, said once, politely
    expect(page.locator("[role=status]:not(:empty)").filter(visible=True)).to_have_count(1)


@pytest.mark.browser
@VIEWS
def test_the_pages_of_a_link_that_cannot_be_used(audit_page, site, organizer, size, scheme):
    """Every e-mailed link's malformed, expired and used pages are one set (lib/links.py):
    a plain one, one with a button, one with a form to ask for a new link."""
    page = audit_page(size, scheme)
    page.goto(site + "/confirm/1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not complete")
    assert_no_serious_violations(page, f"a malformed link ({scheme}, {size[0]}px)")

    past = timezone.now() - timedelta(minutes=settings.SIGN_IN_LINK_MINUTES + 1)
    token = make_sign_in_token(organizer.email, now=past)
    page.goto(site + reverse("accounts:sign_in_link", args=[token]))
    expect(page.get_by_role("button", name="Send me a new link")).to_be_visible()
    assert_no_serious_violations(page, f"an expired link ({scheme}, {size[0]}px)")


@pytest.mark.browser
def test_the_thank_you_panel_is_a_status(page: Page, site: str, petition: Petition):
    request = actions.SignRequest(
        SIGNER["name"], SIGNER["email"], SIGNER["country"], comment="", public=True
    )
    actions.sign_petition(petition, request)
    page.goto(confirm_link())
    page.get_by_role("button", name="Confirm my signature").click()
    panel = page.locator(".success-panel")
    expect(panel).to_have_attribute("role", "status")
    expect(panel.get_by_role("heading", level=1)).to_contain_text("Thank you")


# Text size, motion, colour scheme -----------------------------------------------------


def overflow(page: Page) -> dict:
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
            .slice(0, 5).map(el => el.outerHTML.slice(0, 120));
          return {scroll: root.scrollWidth, client: root.clientWidth, wide};
        }"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("where", ["home", "petition"])
def test_text_resizes_to_200_percent_without_sideways_scrolling(open_page, site, petition, where):
    page = open_page(*DESKTOP)
    page.goto(site + ("/" if where == "home" else petition.get_absolute_url()))
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    after = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert after >= 1.9 * before, "the body's text must follow the root size (use rem/em)"
    result = overflow(page)
    assert result["scroll"] <= result["client"], result


@pytest.mark.browser
def test_reduced_motion_turns_off_animations_and_transitions(
    page: Page, site: str, petition: Petition
):
    page.emulate_media(reduced_motion="reduce")
    page.goto(site + petition.get_absolute_url())
    moving = page.evaluate(
        """() => [...document.querySelectorAll('*')].filter(el => {
          const s = getComputedStyle(el);
          const secs = v => Math.max(...v.split(',').map(
            t => parseFloat(t) * (t.includes('ms') ? 0.001 : 1)));
          return secs(s.animationDuration) > 0.01 && s.animationName !== 'none'
              || secs(s.transitionDuration) > 0.01
              || s.scrollBehavior === 'smooth';
        }).map(el => el.outerHTML.slice(0, 120))"""
    )
    assert moving == []


@pytest.mark.browser
def test_dark_scheme_is_honoured_with_enough_contrast(audit_page, site, petition):
    light = audit_page(DESKTOP, "light")
    light.goto(site + petition.get_absolute_url())
    dark = audit_page(DESKTOP, "dark")
    dark.emulate_media(color_scheme="dark", reduced_motion="reduce")
    dark.goto(site + petition.get_absolute_url())
    background = "getComputedStyle(document.body).backgroundColor"
    assert light.evaluate(background) != dark.evaluate(background)
    assert_no_serious_violations(dark, "the petition page in dark mode", rules=["color-contrast"])
    dark.goto(site + "/")
    assert_no_serious_violations(dark, "the home page in dark mode", rules=["color-contrast"])
