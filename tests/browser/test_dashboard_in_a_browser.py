"""The organizer dashboard in Chromium: the creator opens it, the charts and the map render
under the site's real CSP, axe finds nothing serious (light and dark, desktop and phone),
the creator invites a co-organizer, and on a phone the co-organizers stack as cards.
Moving between the sections is in test_dashboard_sections_in_a_browser.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe import assert_no_serious_violations
from django.utils import timezone
from playwright.sync_api import expect
from support import run_queued_tasks

from undersigned.accounts.models import User
from undersigned.lib.outbox import letters
from undersigned.petitions.models import Organizer
from undersigned.signatures.actions import recount
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.browser
PHONE, DESKTOP = (360, 740), (1280, 900)
# A petition's first days: (country, source, how many hours ago, how many)
HISTORY = [
    ("AM", "newsletter", 70, 40), ("FR", "whatsapp", 50, 25), ("DE", "", 30, 18),
    ("AM", "x", 20, 30), ("US", "email", 6, 12), ("BR", "", 2, 9), ("AM", "link", 1, 6),
]  # fmt: skip


@pytest.fixture
def busy_petition(petition):
    now, n = timezone.now(), 0
    for country, source, hours, count in HISTORY:
        rows = []
        for i in range(count):
            n += 1
            at = now - timedelta(hours=hours, minutes=i)
            rows.append(
                Signature(
                    petition=petition,
                    name=f"Signer {n}",
                    email=f"s{n}@signers.test",
                    email_normalized=f"s{n}@signers.test",
                    country=country,
                    source=source,
                    confirmed_at=at,
                    created_at=at - timedelta(minutes=3),
                )
            )
        Signature.objects.bulk_create(rows)
    Signature.objects.filter(pk__in=Signature.objects.values("pk")[:7]).update(confirmed_at=None)
    recount(petition)
    return petition


def dashboard_url(site: str, petition, section: str = "") -> str:
    return f"{site}/petitions/{petition.pk}/dashboard" + (f"/{section}" if section else "")


def test_the_charts_and_map_render_under_the_real_csp(
    signed_in_page, site, organizer, busy_petition, screenshots
):
    page = signed_in_page(organizer)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(site) else problems.append(r.url))
    page.goto(dashboard_url(site, busy_petition))
    expect(page.get_by_role("heading", level=1)).to_have_text(busy_petition.title)
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)  # the overview
    page.get_by_role("navigation", name="Dashboard sections").get_by_role(
        "link", name="Signatures"
    ).click()
    expect(page.get_by_role("img", name="Confirmed signatures per hour")).to_be_visible()
    expect(page.get_by_role("img", name="Confirmed signatures per day")).to_be_visible()
    world = page.get_by_role("img", name=r"World map shaded by confirmed signatures")
    world.scroll_into_view_if_needed()
    expect(world).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=world.element_handle()
    )
    assert not problems, problems  # no CSP report, no request to any other host
    assert "signers.test" not in page.content()
    # The country table sorts by links, without JavaScript.
    page.get_by_role("link", name=re.compile(r"^Country\W+sort A to Z")).click()
    first = page.locator("#countries tbody tr th").first
    expect(first).to_have_text("Armenia")
    page.get_by_role("link", name=re.compile(r"^Confirmed\W+sort most first")).click()
    most = Signature.objects.filter(petition=busy_petition, country="AM").counted().count()
    expect(page.locator("#countries tbody tr td").first).to_have_text(str(most))
    page.goto(dashboard_url(site, busy_petition, "signatures"))
    page.screenshot(path=str(screenshots / "dashboard-signatures.png"), full_page=True)
    world.screenshot(path=str(screenshots / "dashboard-map.png"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_the_dashboard(
    signed_in_page, site, organizer, busy_petition, size, scheme, screenshots
):
    page = signed_in_page(organizer, size, scheme, audit=True)
    page.goto(dashboard_url(site, busy_petition))
    page.screenshot(path=str(screenshots / f"dashboard-{scheme}-{size[0]}.png"), full_page=True)
    assert_no_serious_violations(page, f"the dashboard's overview ({scheme}, {size[0]}px)")
    page.goto(dashboard_url(site, busy_petition, "signatures"))
    for details in page.locator("details").all():
        details.locator("summary").click()  # audit the tables too
    page.screenshot(
        path=str(screenshots / f"dashboard-signatures-{scheme}-{size[0]}.png"), full_page=True
    )
    assert_no_serious_violations(page, f"the dashboard's signatures ({scheme}, {size[0]}px)")
    page.goto(dashboard_url(site, busy_petition, "organizers"))
    assert_no_serious_violations(page, f"the co-organizers page ({scheme}, {size[0]}px)")
    no_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_scroll), "the co-organizers page scrolls sideways"


def test_the_creator_invites_a_co_organizer(signed_in_page, site, organizer, petition, screenshots):
    page = signed_in_page(organizer)
    page.goto(dashboard_url(site, petition))
    page.get_by_role("navigation", name="Dashboard sections").get_by_role(
        "link", name="Co-organizers"
    ).click()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter the e-mail address")
    page.get_by_label("Their e-mail address").fill("ani@example.org")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have e-mailed an invitation to ani@example.org"
    )
    pending = page.get_by_role("region", name="Invitations not accepted yet")
    expect(pending).to_contain_text("ani@example.org")
    expect(pending).to_contain_text("viewer")
    assert page.evaluate("document.querySelectorAll('main [style]').length") == 0  # CSP
    page.screenshot(path=str(screenshots / "dashboard-organizers.png"), full_page=True)


def test_the_invitee_signs_in_and_accepts(signed_in_page, open_page, site, petition, screenshots):
    from undersigned.dashboard.actions import invite_organizer

    invite_organizer(petition, "ani@example.org", "editor", petition.creator)
    run_queued_tasks()
    text = "\n".join(letter.text for letter in letters())
    link = re.search(r"https?://\S+/organizers/invitations/\S+", text).group()
    anonymous = open_page()
    anonymous.goto(link)
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(
        "Sign in to accept the invitation"
    )
    expect(anonymous.get_by_label("E-mail address")).to_have_value("ani@example.org")
    invitee = User.objects.create_user("ani@example.org", name="Ani")
    page = signed_in_page(invitee, PHONE, "dark", audit=True)
    page.goto(link)
    assert_no_serious_violations(page, "the invitation page (dark, phone)")
    page.screenshot(path=str(screenshots / "dashboard-invitation.png"))
    page.get_by_role("button", name="Accept and help run this petition").click()
    expect(page.locator(".messages")).to_contain_text("You now help run")
    expect(page.get_by_role("heading", level=1)).to_have_text(petition.title)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This invitation link has already been used"
    )
    assert_no_serious_violations(page, "the used invitation page")


LONG_ADDRESS = "ani.hovhannisyan-sargsyan@friends-of-the-riverside-library.example.org"
# Sideways scrolling of the page, and of each co-organizers table inside its own box.
OVERFLOW = """() => ({
    page: document.scrollingElement.scrollWidth,
    tables: [...document.querySelectorAll("table.organizers")].map(
        t => [t.scrollWidth, t.clientWidth]),
})"""


@pytest.fixture
def co_organizers(petition):
    """A co-organizer who accepted (long name and address) and two invitations waiting."""
    from undersigned.dashboard.actions import invite_organizer

    ani = User.objects.create_user(LONG_ADDRESS, name="Ani Hovhannisyan-Sargsyan")
    accepted = invite_organizer(petition, LONG_ADDRESS, "editor", petition.creator)
    Organizer.objects.filter(pk=accepted.pk).update(
        user=ani, accepted_at=timezone.now(), token_hash=""
    )
    invite_organizer(petition, "volunteer.coordinator@example.org", "viewer", petition.creator)
    invite_organizer(petition, "press@example.org", "editor", petition.creator)
    return petition


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_co_organizers_stack_as_cards_used_by_keyboard(
    signed_in_page, site, organizer, co_organizers, scheme, screenshots
):
    page = signed_in_page(organizer, PHONE, scheme, audit=True)
    page.goto(dashboard_url(site, co_organizers, "organizers"))
    expect(page.locator("table.organizers")).to_have_count(2)
    overflow = page.evaluate(OVERFLOW)
    assert overflow["page"] <= PHONE[0], overflow
    assert all(scroll <= client for scroll, client in overflow["tables"]), overflow
    card = page.locator("table.organizers tbody tr").filter(has_text="press@example.org")
    assert card.evaluate("tr => getComputedStyle(tr).display") == "block"
    label = card.locator("td[data-label]").first
    assert label.evaluate("td => getComputedStyle(td, '::before').content") == '"Role"'
    expect(page.get_by_role("region", name="Invitations not accepted yet")).to_be_visible()
    assert page.locator("main [tabindex='0']").count() == 0  # no scroll box to tab into
    assert_no_serious_violations(page, f"the co-organizers page ({scheme}, phone)")
    page.screenshot(
        path=str(screenshots / f"dashboard-organizers-{scheme}-360.png"), full_page=True
    )

    # By keyboard alone: Tab to the invitation's role, choose "viewer", Tab to its button.
    role = page.get_by_label("Role of press@example.org")
    for _step in range(40):
        page.keyboard.press("Tab")
        if role.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the role of press@example.org")
    role.press("ArrowDown")
    expect(role).to_have_value("viewer")
    page.keyboard.press("Tab")
    change = page.get_by_role("button", name="Change role of press@example.org")
    expect(change).to_be_focused()
    box = change.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]  # fully on screen
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("The role has been changed.")
    assert co_organizers.organizers.get(email="press@example.org").role == "viewer"


@pytest.mark.parametrize("width", [800, DESKTOP[0]])
def test_on_a_wide_screen_the_co_organizers_stay_a_table(
    signed_in_page, site, organizer, co_organizers, width, screenshots
):
    page = signed_in_page(organizer, (width, DESKTOP[1]))
    page.goto(dashboard_url(site, co_organizers, "organizers"))
    page.screenshot(path=str(screenshots / f"dashboard-organizers-{width}.png"), full_page=True)
    table = page.get_by_role("region", name="Who runs this petition").get_by_role("table")
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    for header in ["Person", "Role", "Actions"]:
        expect(table.get_by_role("columnheader", name=header)).to_be_visible()
    expect(table.get_by_role("rowheader", name=re.compile("Ani Hovhannisyan"))).to_be_visible()
    overflow = page.evaluate(OVERFLOW)
    assert overflow["page"] <= width, overflow
    assert all(scroll <= client for scroll, client in overflow["tables"]), overflow
