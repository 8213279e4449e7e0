"""`make run`'s demo: one petition with signatures, an update, a decision maker, a paper
sheet and co-organizers, made once however often setup_demo runs, and telling one
consistent story: every date and figure it shows follows from its own data."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from undersigned.dashboard import stats
from undersigned.delivery.models import DeliveryPack, PaperSheet
from undersigned.petitions.models import Petition
from undersigned.responses import actions
from undersigned.signatures.actions import count_for, recount
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


def counted(petition: Petition):
    return Signature.objects.filter(petition=petition).counted()


def count_at(petition: Petition, moment) -> int:
    return counted(petition).filter(confirmed_at__lte=moment).count()


def numbers_in(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def test_it_builds_the_demo_petition_once_with_an_exact_count(demo):
    assert demo.state == Petition.State.OPEN
    rows = counted(demo).count()
    assert 100 < rows < Signature.objects.filter(petition=demo).count()
    assert count_for(demo) == rows == recount(demo)
    assert demo.updates.count() == 1
    assert demo.targets.exclude(email="").exists()
    # so that the worker e-mails the demo's decision maker: a moderator approved it
    assert actions.targets_due().filter(petition=demo).exists()
    assert demo.organizers.exists()


def test_it_was_drafted_submitted_and_opened_days_before_its_first_signature(demo):
    now = timezone.now()
    first = Signature.objects.filter(petition=demo).earliest("created_at").created_at
    assert demo.created_at < demo.submitted_at < demo.opened_at < first - timedelta(days=1)
    assert demo.closes_at > now
    assert demo.creator.date_joined <= demo.created_at


def test_every_signature_was_made_after_the_opening_and_confirmed_after_it_was_made(demo):
    now = timezone.now()
    for signature in Signature.objects.filter(petition=demo):
        assert demo.opened_at < signature.created_at <= now
        if signature.confirmed_at is not None:
            assert signature.created_at <= signature.confirmed_at <= now


def test_the_daily_chart_starts_on_the_day_it_opened(demo):
    figures = stats.compute_figures(demo, timezone.now())
    assert figures.daily[0].start == timezone.localdate(demo.opened_at)
    assert sum(point.count for point in figures.daily) == count_for(demo)


def test_each_milestone_is_dated_when_the_count_passed_it(demo):
    milestones = stats.compute_figures(demo, timezone.now()).milestones
    assert [m.goal for m in milestones][:1] == [100]  # the organizer's goal, passed
    for milestone in milestones:
        assert milestone.reached_at > demo.opened_at
        assert count_at(demo, milestone.reached_at) == milestone.goal
        assert count_at(demo, milestone.reached_at - timedelta(microseconds=1)) < milestone.goal


def test_the_update_says_only_what_the_count_was_when_it_was_posted(demo):
    update = demo.updates.get()
    assert demo.opened_at < update.created_at <= timezone.now()
    then = count_at(demo, update.created_at)
    said = re.search(r"(\d[\d,]*) people had signed", update.text)
    assert said and int(said.group(1).replace(",", "")) == then
    # No figure in it is more than had signed by then: no "first 1,000" out of 124.
    assert max(numbers_in(f"{update.title} {update.text}")) <= then
    # It claims no delivery: there is no delivery pack to have handed in.
    handed_in = re.search(r"hand(ed)? in|deliver", f"{update.title} {update.text}", re.I)
    assert (
        not handed_in
        or DeliveryPack.objects.filter(petition=demo, generated_at__lte=update.created_at).exists()
    )


def test_the_paper_sheet_names_everyone_it_counts_and_was_recorded_after_opening(demo):
    sheet = PaperSheet.objects.of(demo).get()
    assert sheet.count == len(sheet.name_list)
    assert demo.opened_at < sheet.recorded_at <= timezone.now()
    assert timezone.localtime(sheet.recorded_at).weekday() == 6  # a Sunday market


def test_co_organizers_were_invited_after_the_petition_was_drafted(demo):
    for organizer in demo.organizers.all():
        assert demo.created_at < organizer.invited_at <= timezone.now()
        if organizer.accepted_at:
            assert organizer.invited_at < organizer.accepted_at <= timezone.now()
            assert organizer.user.date_joined <= organizer.accepted_at
