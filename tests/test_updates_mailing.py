"""E-mailing updates to signers: who gets them, batches, headers, and a killed worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from test_updates_support import add_signer, add_signers

from undersigned.jobs.actions import periodic_jobs
from undersigned.privacy.actions import unsubscribe
from undersigned.signatures.models import Signature
from undersigned.updates import actions, mailing
from undersigned.updates.models import STALE_CLAIM, Update, UpdateMail

pytestmark = pytest.mark.django_db


def withdraw_signature(signature: Signature) -> None:
    """What withdrawal leaves of a row (signatures/actions.py), without the count shards
    and the transparency log these signers made directly in the database never joined."""
    Signature.objects.filter(pk=signature.pk).update(
        withdrawn_at=timezone.now(), email="", email_normalized="", name=""
    )


class Killed(BaseException):
    """A worker killed mid-batch: nothing after the kill runs, not even `except Exception`."""


class CountingConnection:
    """Stands in for the SMTP connection: counts connections, can die after n messages."""

    opened = 0

    def __init__(self, die_after: int | None = None):
        self.die_after = die_after

    def open(self):
        CountingConnection.opened += 1

    def close(self):
        pass

    def send_messages(self, messages):
        if self.die_after is not None and self.die_after <= 0:
            raise Killed
        if self.die_after is not None:
            self.die_after -= len(messages)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def connections(monkeypatch):
    CountingConnection.opened = 0
    made = {"die_after": None}
    monkeypatch.setattr(
        mailing, "get_connection", lambda: CountingConnection(made.pop("die_after", None))
    )
    return made


def emailed(petition, **fields) -> Update:
    return actions.post_update(petition, title=fields.get("title", "News"),
                               text=fields.get("text", "Something **happened**."),
                               email=True, kind=fields.get("kind", Update.Kind.NEWS))  # fmt: skip


def recipients_of_outbox() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def test_only_counted_signers_who_asked_for_updates_get_it(petition, run_tasks):
    wanted = add_signer(petition, 1)
    add_signer(petition, 2, wants_updates=False)
    add_signer(petition, 3, confirmed_at=None)
    add_signer(petition, 4, held_reason="rate")
    add_signer(petition, 5, invalidated_at=timezone.now())
    withdrawn = add_signer(petition, 6)
    withdraw_signature(withdrawn)
    unsubscribed = add_signer(petition, 7)
    unsubscribe(unsubscribed)
    update = emailed(petition)
    assert update.email_total == 1
    run_tasks()
    assert recipients_of_outbox() == [wanted.email]


def test_it_sends_in_batches_with_one_connection_each(petition, settings, connections, run_tasks):
    settings.SIGNER_MAIL_BATCH = 4
    add_signers(petition, 10)
    update = emailed(petition)
    run_tasks()
    assert CountingConnection.opened == 3  # 4 + 4 + 2
    assert len(mail.outbox) == 10 and len(set(recipients_of_outbox())) == 10
    update.refresh_from_db()
    assert update.email_state == Update.EmailState.SENT and update.emails_sent == 10


def test_each_mail_has_the_unsubscribe_link_and_headers(petition, run_tasks):
    signer = add_signer(petition, 1)
    emailed(petition)
    run_tasks()
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in unsubscribe_link and unsubscribe_link in message.body
    html = message.alternatives[0][0]
    assert unsubscribe_link in html and "<strong>happened</strong>" in html
    assert f"#update-{petition.updates.get().pk}" in message.body
    assert signer.email == message.to[0]


def test_each_signer_gets_it_in_their_language(petition, run_tasks):
    add_signer(petition, 1, language="fr")
    add_signer(petition, 2, language="en")
    emailed(petition)
    run_tasks()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Hello" in by_address["signer2@example.org"].body
    assert "Hello" not in by_address["signer1@example.org"].body  # French: "Bonjour"


def test_a_response_mail_names_the_decision_maker(petition, run_tasks):
    add_signer(petition, 1)
    target = petition.targets.first()
    actions.post_update(petition, kind=Update.Kind.RESPONSE, title="Our answer", text="Yes.",
                        target=target, email=True)  # fmt: skip
    run_tasks()
    assert mail.outbox[0].subject.startswith("City Council responded")


def test_a_killed_worker_resumes_without_losing_or_repeating_a_batch(
    petition, settings, connections
):
    settings.SIGNER_MAIL_BATCH = 5
    signers = add_signers(petition, 12)
    update = emailed(petition)
    connections["die_after"] = 3  # the first batch dies after three messages
    with pytest.raises(Killed):
        mailing.send_next_batch(update.pk)
    assert len(mail.outbox) == 3
    update.refresh_from_db()
    assert update.email_state == Update.EmailState.SENDING
    # Another run right away leaves the dead worker's claim alone and takes new signers.
    mailing.send_next_batch(update.pk)
    assert len(mail.outbox) == 8
    # The clock notices the mailing stopped moving and queues it again; once the claim is
    # stale the two unsent signers of the killed batch are mailed, and nobody twice.
    later = timezone.now() + STALE_CLAIM + timedelta(minutes=1)
    assert mailing.resume_stuck_mailings(later) == 1
    while mailing.send_next_batch(update.pk, now=later):
        pass
    mailing.send_next_batch(update.pk, now=later)
    assert recipients_of_outbox() == sorted(s.email for s in signers)
    update.refresh_from_db()
    assert update.email_state == Update.EmailState.SENT and update.emails_sent == 12


def test_an_smtp_error_gives_the_batch_back_for_the_retry(petition, settings, monkeypatch):
    settings.SIGNER_MAIL_BATCH = 5
    add_signers(petition, 3)
    update = emailed(petition)

    class Broken(CountingConnection):
        def send_messages(self, messages):
            raise OSError("connection refused")

    monkeypatch.setattr(mailing, "get_connection", Broken)
    with pytest.raises(OSError):
        mailing.send_next_batch(update.pk)
    assert not UpdateMail.objects.filter(claimed_at__isnull=False).exists()
    monkeypatch.undo()
    while mailing.send_next_batch(update.pk):
        pass
    mailing.send_next_batch(update.pk)
    assert len(mail.outbox) == 3


def test_a_signer_who_withdraws_mid_send_gets_nothing_afterwards(petition, settings, run_tasks):
    settings.SIGNER_MAIL_BATCH = 2
    first, second, third, fourth = add_signers(petition, 4)
    update = emailed(petition)
    mailing.send_next_batch(update.pk)  # the first two
    withdraw_signature(third)
    unsubscribe(fourth)
    run_tasks()
    assert recipients_of_outbox() == sorted([first.email, second.email])
    update.refresh_from_db()
    assert update.email_state == Update.EmailState.SENT and update.emails_sent == 2


def test_a_signer_invalidated_after_being_claimed_is_skipped(petition, settings):
    settings.SIGNER_MAIL_BATCH = 3
    signers = add_signers(petition, 3)
    update = emailed(petition)
    token = mailing.claim_batch(update, timezone.now())
    Signature.objects.filter(pk=signers[1].pk).update(invalidated_at=timezone.now())
    assert mailing.deliver_batch(update, token) == 2
    assert UpdateMail.objects.get(signature=signers[1]).skipped_at is not None
    assert signers[1].email not in recipients_of_outbox()


def test_running_a_batch_twice_sends_nothing_twice(petition, run_tasks):
    add_signers(petition, 3)
    update = emailed(petition)
    run_tasks()
    mailing.send_next_batch(update.pk)
    Update.objects.filter(pk=update.pk).update(email_state=Update.EmailState.SENDING)
    mailing.send_next_batch(update.pk)
    assert len(mail.outbox) == 3


def test_the_clock_resumes_stuck_mailings(petition):
    assert periodic_jobs()["resume_update_mailings"][1].endswith("resume_stuck_mailings")
    update = emailed(petition)
    assert mailing.resume_stuck_mailings() == 0  # it just moved
    later = timezone.now() + STALE_CLAIM + timedelta(seconds=1)
    assert mailing.resume_stuck_mailings(later) == 1
    assert mailing.resume_stuck_mailings(later) == 0  # queued once, not every minute
    update.refresh_from_db()
    assert update.email_progress_at == later


def test_the_dashboard_shows_sending_n_of_total(petition, organizer, settings):
    settings.SIGNER_MAIL_BATCH = 2
    add_signers(petition, 3)
    update = emailed(petition, title="Half sent")
    mailing.send_next_batch(update.pk)
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(organizer)
    html = client.get(reverse("dashboard:updates", args=[petition.pk])).content.decode()
    assert "Sending: 2 of 3 e-mails sent" in html


def test_a_response_without_its_decision_maker_still_reads_well(petition, run_tasks):
    add_signer(petition, 1)
    actions.post_update(
        petition, kind=Update.Kind.RESPONSE, title="Answer", text="Yes.", email=True
    )
    run_tasks()
    assert mail.outbox[0].subject.startswith("A decision maker responded")
