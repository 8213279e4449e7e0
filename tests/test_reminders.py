"""One reminder to a signer who has not confirmed within a day: sent once, with the same
scanner-proof link flow; not after the petition closed, nor to a signer who withdrew or
was invalidated; once even when the worker is killed while sending; and reported on the
organizer's dashboard."""

from __future__ import annotations

import email
import email.policy
import os
import signal
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition, signed_in
from worker_support import start_worker, take_over_from_a_dead_worker, wait_for

from undersigned.accounts.models import User
from undersigned.petitions import actions as petition_actions
from undersigned.signatures import actions
from undersigned.signatures.mailing import send_confirmation_mails
from undersigned.signatures.models import Signature
from undersigned.signatures.reminders import queue_reminders

A_DAY_AGO = timedelta(hours=25)


def sign(petition, email: str = SIGNER["email"]) -> Signature:
    """Sign, get the confirmation e-mail, and leave it unconfirmed for a day."""
    response = Client().post(
        reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": email}
    )
    assert response.status_code == 303
    send_confirmation_mails()
    Signature.objects.filter(email=email).update(
        mail_sent_at=timezone.now() - A_DAY_AGO, created_at=timezone.now() - A_DAY_AGO
    )
    return Signature.objects.get(email=email)


def reminders_sent() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Reminder: confirm your signature")]


def test_a_signer_who_has_not_confirmed_after_a_day_gets_one_reminder(petition):
    signature = sign(petition)
    mail.outbox.clear()
    assert queue_reminders() == 1
    send_confirmation_mails()
    (reminder,) = reminders_sent()
    assert reminder.to == [SIGNER["email"]] and "the only reminder" in reminder.body
    # The same flow: a page with one button, and only the button confirms.
    client = Client()
    link = link_in_last_mail("confirm")
    assert client.get(link).status_code == 200
    assert Signature.objects.get(pk=signature.pk).confirmed_at is None
    assert client.post(link).status_code == 303
    assert actions.count_for(petition) == 1

    # Never a second one, however often the clock runs it, and days later.
    Signature.objects.filter(pk=signature.pk).update(confirmed_at=None)
    later = timezone.now() + timedelta(days=3)
    assert queue_reminders() == 0 and queue_reminders(later) == 0


def test_no_reminder_within_the_first_day(petition):
    sign(petition)
    Signature.objects.update(mail_sent_at=timezone.now() - timedelta(hours=23))
    assert queue_reminders() == 0


def test_asking_for_the_link_again_after_the_reminder_gets_the_ordinary_email(petition):
    sign(petition)
    queue_reminders()
    send_confirmation_mails()
    mail.outbox.clear()
    signature = Signature.objects.get()
    assert actions.request_confirmation_mail(signature)
    send_confirmation_mails()
    assert len(mail.outbox) == 1 and not reminders_sent()


@pytest.mark.parametrize("what", ["closed", "past its closing date", "withdrawn", "invalidated"])
def test_no_reminder_when(petition, what):
    signature = sign(petition)
    if what == "closed":
        petition_actions.close_petition(petition)
    elif what == "past its closing date":
        petition.__class__.objects.filter(pk=petition.pk).update(
            closes_at=timezone.now() - timedelta(minutes=1)
        )
    elif what == "withdrawn":
        actions.withdraw_signature(signature)
    else:
        Signature.objects.filter(pk=signature.pk).update(invalidated_at=timezone.now())
    assert queue_reminders() == 0


def test_reminders_can_be_turned_off(petition, settings):
    settings.SIGNATURE_REMINDER_HOURS = 0
    sign(petition)
    assert queue_reminders() == 0


def test_the_dashboard_reports_confirmation_before_and_after_reminders(
    petition, organizer, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0
    for n in range(4):
        sign(petition, f"s{n}@example.org")
    assert queue_reminders() == 4
    send_confirmation_mails()
    for _n in range(2):  # two confirm from the reminder
        Client().post(link_in_last_mail("confirm"))
        mail.outbox.pop()
    page = signed_in(organizer).get(reverse("dashboard:petition", args=[petition.pk]))
    html = page.content.decode()
    assert "4 signers who had not confirmed within a day got one reminder" in html
    assert "2 confirmed after it (50%)" in html
    assert "Confirmation rate before reminders: 0%; with them: 50%." in html


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_sends_each_reminder_once(tmp_path):
    organizer = User.objects.create_user("org@example.org")
    petition = make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))
    long_ago = timezone.now() - A_DAY_AGO
    for n in range(40):
        Signature.objects.create(
            petition=petition, name=f"Signer {n}", email=f"s{n}@example.org",
            email_normalized=f"s{n}@example.org", country="AM", created_at=long_ago,
            mail_sent_at=long_ago, mails_sent=1,
        )  # fmt: skip
    assert queue_reminders() == 40
    outbox = tmp_path / "outbox"
    worker = start_worker(outbox)
    wait_for(lambda: len(list(outbox.glob("*.eml"))) >= 5)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert len(list(outbox.glob("*.eml"))) < 40, "the worker finished before it could be killed"
    assert queue_reminders() == 0  # the rows are claimed: a scan queues nothing more

    take_over_from_a_dead_worker(outbox)
    mails = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in outbox.glob("*.eml")
    ]
    # The kill may have cut the file of the one e-mail it caught mid-send short.
    complete = [m for m in mails if m["Subject"] is not None and m["To"] is not None]
    subjects = {str(m["Subject"]).strip() for m in complete}
    assert subjects == {"Reminder: confirm your signature on “Keep the library open on Sundays”"}
    recipients = [str(m["To"]).strip() for m in complete]
    assert set(recipients) == {f"s{n}@example.org" for n in range(40)}  # nobody left out
    assert len(mails) - 40 <= 1  # at most the one mail the kill caught mid-send
    assert queue_reminders() == 0
