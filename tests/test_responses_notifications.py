"""Decision makers are e-mailed when a petition opens and at each threshold, once each,
whatever the number of runs or workers; organizers may send them a new e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from responses_support import COUNCIL, MAYOR, set_count
from support import make_petition, signed_in

from undersigned.accounts.models import User
from undersigned.petitions.models import Organizer, Petition
from undersigned.responses import actions
from undersigned.responses.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.TARGET_THRESHOLDS = [(10, "response"), (100, "escalation")]


@pytest.fixture
def addressed(organizer, moderator) -> Petition:
    """An open petition whose organizer chose to notify its decision makers."""
    return make_petition(organizer, moderator, targets=[MAYOR, COUNCIL], notify_targets=True)


def test_it_emails_each_target_with_an_address_once_when_the_petition_opens(addressed, run_tasks):
    assert actions.notify_targets() == 1
    run_tasks()
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]
    message = mail.outbox[0]
    assert addressed.title in message.subject
    assert addressed.absolute_url() in message.body
    assert "/respond/" in message.body and "0 confirmed signatures" in message.body
    html = message.alternatives[0][0]
    assert "/respond/" in html

    assert actions.notify_targets() == 0  # a rerun, or the next minute
    run_tasks()
    assert len(mail.outbox) == 1
    notification = Notification.objects.get()
    assert notification.event == "opened" and notification.sent_at is not None
    assert len(notification.token_hash) == 64  # only the secret's SHA-256 is stored
    secret = message.body.split("/respond/")[1].split()[0].partition(".")[2]
    assert secret not in notification.token_hash


def test_it_emails_again_at_each_threshold_passed(addressed, run_tasks):
    actions.notify_targets()
    run_tasks()
    set_count(addressed, 12)
    assert actions.notify_targets() == 1
    run_tasks()
    assert "10 signatures ask for your response" in mail.outbox[-1].subject
    assert "12 now" in mail.outbox[-1].body
    set_count(addressed, 130)
    assert actions.notify_targets() == 1
    run_tasks()
    assert "urgently requested" in mail.outbox[-1].subject
    assert actions.notify_targets() == 0
    events = list(Notification.objects.values_list("event", "threshold", "signature_count"))
    assert events == [("opened", 0, 0), ("response", 10, 12), ("escalation", 100, 130)]
    assert len(mail.outbox) == 3


def test_it_sends_only_the_highest_threshold_passed_at_once(addressed, run_tasks):
    set_count(addressed, 250)
    assert actions.notify_targets() == 1
    run_tasks()
    assert actions.notify_targets() == 0
    assert list(Notification.objects.values_list("event", "threshold")) == [("escalation", 100)]
    assert len(mail.outbox) == 1 and "100 signatures" in mail.outbox[0].subject


def test_two_workers_with_the_same_view_of_the_targets_send_each_notification_once(
    addressed, run_tasks, monkeypatch
):
    # Both workers read the targets due before either claims: the unique row decides.
    due = list(actions.targets_due())
    monkeypatch.setattr(actions, "targets_due", lambda now=None: due)
    assert actions.notify_targets() == 1
    assert actions.notify_targets() == 0
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_send_task_run_twice_sends_once(addressed, run_tasks):
    actions.notify_targets()
    notification = Notification.objects.get()
    assert actions.send_notification(notification.pk) is True
    assert actions.send_notification(notification.pk) is False
    run_tasks()  # the queued copy of the same task finds it sent
    assert len(mail.outbox) == 1


def test_it_sends_nothing_when_the_organizer_did_not_choose_it(organizer, moderator, run_tasks):
    petition = make_petition(organizer, moderator, targets=[MAYOR])
    set_count(petition, 500)
    assert actions.notify_targets() == 0
    run_tasks()
    assert mail.outbox == [] and not Notification.objects.exists()


def test_it_sends_nothing_to_a_target_without_an_address(organizer, moderator, run_tasks):
    make_petition(organizer, moderator, targets=[COUNCIL], notify_targets=True)
    assert actions.notify_targets() == 0
    assert not Notification.objects.exists()


def test_it_does_not_notify_for_petitions_that_are_not_open(organizer, moderator):
    for state in [Petition.State.DRAFT, Petition.State.MODERATION, Petition.State.CLOSED]:
        make_petition(organizer, moderator, targets=[MAYOR], notify_targets=True, state=state)
    assert actions.notify_targets() == 0


def test_the_clock_runs_the_job_every_minute():
    from undersigned.jobs.actions import periodic_jobs

    assert periodic_jobs()["notify_targets"] == (60, "undersigned.responses.tasks.notify_targets")


# Sending again from the dashboard


def test_an_organizer_sends_a_target_a_new_email_with_a_new_link(addressed, organizer, run_tasks):
    actions.notify_targets()
    run_tasks()
    first = Notification.objects.get()
    first.created_at = timezone.now() - timedelta(days=2)
    first.save()
    target = addressed.targets.get(name="Maria Rossi")
    url = reverse("responses:resend", args=[addressed.pk, target.pk])
    response = signed_in(organizer).post(url, follow=True)
    assert "An e-mail to Maria Rossi is on its way." in response.content.decode()
    run_tasks()
    assert len(mail.outbox) == 2
    assert "asked us to send you this e-mail again" in mail.outbox[-1].body
    links = [m.body.split("/respond/")[1].split()[0] for m in mail.outbox]
    assert links[0] != links[1]
    resent = Notification.objects.latest("pk")
    assert resent.resent and resent.sent_by == organizer


def test_it_refuses_a_second_email_to_the_same_target_within_a_day(addressed, organizer):
    target = addressed.targets.get(name="Maria Rossi")
    actions.resend_notification(target, organizer)
    url = reverse("responses:resend", args=[addressed.pk, target.pk])
    response = signed_in(organizer).post(url, follow=True)
    assert "less than a day ago" in response.content.decode()
    assert Notification.objects.count() == 1


def test_it_refuses_to_email_a_target_without_an_address(addressed, organizer):
    target = addressed.targets.get(name="City Council")
    url = reverse("responses:resend", args=[addressed.pk, target.pk])
    response = signed_in(organizer).post(url, follow=True)
    assert "no e-mail address" in response.content.decode()
    assert not Notification.objects.exists()


def test_only_the_creator_and_editors_may_send_or_switch_notifications(addressed, moderator):
    target = addressed.targets.get(name="Maria Rossi")
    viewer = User.objects.create_user("vera@example.org", name="Vera Viewer")
    Organizer.objects.create(
        petition=addressed, email=viewer.email, user=viewer, role=Organizer.Role.VIEWER,
        accepted_at=timezone.now(),
    )  # fmt: skip
    stranger = User.objects.create_user("sam@example.org", name="Sam Stranger")
    resend = reverse("responses:resend", args=[addressed.pk, target.pk])
    toggle = reverse("responses:toggle_notify", args=[addressed.pk])
    for user in [viewer, stranger, moderator]:
        client = signed_in(user)
        assert client.post(resend).status_code == 404
        assert client.post(toggle, {"notify": "off"}).status_code == 404
    assert Client().post(resend).status_code == 302  # to the sign-in page
    assert not Notification.objects.exists()
    assert Petition.objects.get(pk=addressed.pk).notify_targets


def test_an_editor_switches_notifications_off_and_on(addressed, run_tasks):
    editor = User.objects.create_user("eddie@example.org", name="Eddie Editor")
    Organizer.objects.create(
        petition=addressed, email=editor.email, user=editor, accepted_at=timezone.now()
    )
    toggle = reverse("responses:toggle_notify", args=[addressed.pk])
    client = signed_in(editor)
    client.post(toggle, {"notify": "off"})
    assert not Petition.objects.get(pk=addressed.pk).notify_targets
    assert actions.notify_targets() == 0
    client.post(toggle, {"notify": "on"})
    assert actions.notify_targets() == 1


def test_a_resend_counts_as_the_notification_for_its_rung(addressed, organizer):
    target = addressed.targets.get(name="Maria Rossi")
    actions.resend_notification(target, organizer)
    assert actions.notify_targets() == 0  # the opening was just e-mailed by hand


def test_a_threshold_of_one_is_written_in_the_singular(addressed, run_tasks, settings):
    settings.TARGET_THRESHOLDS = [(1, "response")]
    actions.notify_targets()
    run_tasks()
    set_count(addressed, 1)
    assert actions.notify_targets() == 1
    run_tasks()
    message = mail.outbox[-1]
    assert message.subject.startswith("1 signature asks for your response:")
    assert "has passed 1 confirmed signature (1 now)" in message.body
    assert "has passed 1 confirmed signature (1 now)" in message.alternatives[0][0]
