"""Axe finds no serious violation on the pages of regions, representatives, the ledger of
changes to the count and the supporters' page, in light and dark, on desktop and phone.
The site's other pages: test_accessibility.py."""

from __future__ import annotations

import pytest
from axe import assert_no_serious_violations
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from support import make_petition, run_queued_tasks
from test_accessibility import VIEWS

from undersigned.petitions.models import Petition
from undersigned.signatures import actions


@pytest.mark.browser
@VIEWS
def test_region_breakdown_page(audit_page, site, organizer, moderator, size, scheme):
    """The breakdown of the demo's wards: a map, a sortable table, a sign form with
    postcodes; and a petition whose sign form offers a country's regions."""
    from undersigned.regions import demo

    demo.install()
    wards = make_petition(organizer, moderator, region_scheme=demo.SCHEME)
    for n, (postcode, _ward) in enumerate(demo.postcodes()[::4]):
        data = actions.SignRequest(
            name=f"Signer {n} Example", email=f"ward{n}@example.org", country="AM",
            postcode=postcode,
        )  # fmt: skip
        signature = actions.sign_petition(wards, data)
        token = signature.new_token(timezone.now())
        signature.save(update_fields=["token_hash", "token_created_at"])
        actions.confirm_signature(signature, token.split(".", 1)[1])
    subdivisions = make_petition(
        organizer, moderator, title="Count us by province", region_scheme="subdivisions"
    )
    page = audit_page(size, scheme)
    for path, heading in [
        (reverse("signatures:regions", args=[wards.pk]), "Where the signers live"),
        (reverse("signatures:regions", args=[wards.pk]) + "?sort=share", "Where the signers live"),
        (wards.get_absolute_url(), wards.title),
        (subdivisions.get_absolute_url(), subdivisions.title),
    ]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_serious_violations(page, f"{path} ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_representatives_pages(audit_page, site, organizer, moderator, size, scheme):
    """A representative's public page, the position page behind their link, the
    subscription pages, the waiting list, and a petition with the positions block."""
    from representatives_support import (
        ALICE,
        NORTH,
        SCHEME,
        alerts_link,
        answer_link,
        make_representatives,
        make_scheme,
        sign_in_ward,
    )

    from undersigned.representatives.actions import ask_representatives

    make_scheme(quorum=2)
    people = make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME)
    sign_in_ward(petition, NORTH, 2)
    ask_representatives()
    run_queued_tasks()
    page = audit_page(size, scheme)
    for path, heading in [
        (answer_link(ALICE["email"]), "State your position on the petition"),
        (people["alice"].get_absolute_url(), ALICE["name"]),
        ("/representatives/subscribe", "Follow the petitions in your region"),
        (alerts_link(ALICE["email"]), "Your e-mails about your region"),
        ("/waiting", "Waiting for an answer"),
        (petition.get_absolute_url(), petition.title),
    ]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_serious_violations(page, f"{path} ({scheme}, {size[0]}px)")


@pytest.mark.browser
@VIEWS
def test_changes_to_the_count_and_supporters_pages(
    audit_page, site, organizer, moderator, size, scheme
):
    """The public ledger with a line of each scope, and the private page for a petition's
    first supporters."""
    from undersigned.petitions import supporters
    from undersigned.transparency import ledger

    petition = make_petition(organizer, moderator)
    with transaction.atomic():
        ledger.record_change(petition.pk, "released", 3, timezone.now(), {"held": "address-rate"})
        ledger.record_change(petition.pk, "paper-added", 40, timezone.now(),
                             {"paper": True, "country": "AM"})  # fmt: skip
    draft = make_petition(organizer, title="Plant trees on the ring road", state="draft")
    Petition.objects.filter(pk=draft.pk).update(state=Petition.State.SUPPORT)
    page = audit_page(size, scheme)
    for path, heading in [
        (reverse("transparency:changes", args=[petition.pk]), "Changes to the count"),
        (supporters.support_path(draft), draft.title),
    ]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_serious_violations(page, f"{path} ({scheme}, {size[0]}px)")
