"""`make run`'s demo: fictional councillors for the demo's wards, made once, and any
position it shows follows from the demo's own signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.petitions.models import Petition
from undersigned.regions.lookups import quorum_for, regions_of
from undersigned.representatives.actions import ask_representatives
from undersigned.representatives.demo import populate
from undersigned.representatives.models import PositionRequest, Representative
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


def test_every_ward_has_two_fictional_councillors_made_once(demo):
    wards = regions_of(demo.region_scheme)
    people = Representative.objects.filter(region_scheme=demo.region_scheme)
    assert people.count() == 2 * min(len(wards), 6) > 0
    assert {p.region_code for p in people} <= set(wards)
    assert all(p.email.endswith("@council.example.org") for p in people)


def test_a_published_position_follows_from_the_signatures(demo, settings):
    """With a quorum of the petition's own, lower than the demo scheme's, populating
    again answers in the first two wards that reached it: two councillors, once."""
    PositionRequest.objects.filter(petition=demo).delete()  # those of the scheme's quorum
    Petition.objects.filter(pk=demo.pk).update(region_quorum=4)
    demo.refresh_from_db()
    populate(demo)
    populate(demo)
    now = timezone.now()
    assert PositionRequest.objects.filter(petition=demo).count() == 2
    for request in PositionRequest.objects.filter(petition=demo):
        ward = Signature.objects.counted().filter(petition=demo, region=request.region_code)
        quorum = quorum_for(
            demo.region_scheme, request.region_code, demo.region_quorum, settings.REGION_QUORUM
        )
        assert ward.filter(confirmed_at__lt=request.asked_at).count() >= quorum
        assert ward.filter(confirmed_at__lte=request.asked_at).count() == request.signature_count
        assert request.asked_at + timedelta(days=1) == request.answered_at <= now
        assert request.told_at  # the demo's signers are not e-mailed about the past


def test_the_clock_then_asks_only_the_councillors_of_wards_at_their_quorum(demo, settings):
    ask_representatives()
    for request in PositionRequest.objects.filter(petition=demo):
        ward = Signature.objects.counted().filter(petition=demo, region=request.region_code)
        quorum = quorum_for(
            demo.region_scheme, request.region_code, demo.region_quorum, settings.REGION_QUORUM
        )
        assert ward.count() >= quorum
