"""The signature rows are the confirmation-mail queue: one task row a second at most, a
batch per SMTP connection, and a failure that loses nobody."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from undersigned.signatures import mailing
from undersigned.signatures.actions import SignRequest, sign_petition
from undersigned.signatures.mailing import send_confirmation_mails
from undersigned.signatures.models import Signature


def sign_many(petition, n: int) -> None:
    for i in range(n):
        sign_petition(petition, SignRequest(name=f"Signer {i}", email=f"s{i}@example.org",
                                            country="AM"))  # fmt: skip


def test_signing_writes_the_row_and_not_a_task_per_signature(petition):
    sign_many(petition, 5)
    assert Signature.objects.filter(mail_requested_at__isnull=False).count() == 5
    queued = DBTaskResult.objects.ready().filter(task_path__contains="deliver_confirmation")
    assert queued.count() == 1  # one nudge for the worker, not five tasks


def test_while_a_pump_says_it_runs_signing_queues_no_task_and_the_pump_sends(petition):
    mailing.pump_alive()  # as a worker's pump does every few seconds, in the shared cache
    sign_many(petition, 3)
    queued = DBTaskResult.objects.ready().filter(task_path__contains="deliver_confirmation")
    assert queued.count() == 0
    assert send_confirmation_mails() == 3  # the rows are the queue: the pump finds them
    assert len(mail.outbox) == 3


def test_once_the_pump_falls_silent_signing_nudges_again(petition, monkeypatch):
    mailing.pump_alive()
    from django.core.cache import cache

    cache.delete(mailing.PUMP_ALIVE_KEY)  # what PUMP_ALIVE_SECONDS of silence does
    sign_many(petition, 1)
    queued = DBTaskResult.objects.ready().filter(task_path__contains="deliver_confirmation")
    assert queued.count() == 1


def test_the_queued_task_sends_every_waiting_mail(petition, run_tasks):
    sign_many(petition, 5)
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"s{i}@example.org" for i in range(5))
    assert not Signature.objects.filter(mail_requested_at__isnull=False).exists()
    assert set(Signature.objects.values_list("mails_sent", flat=True)) == {1}


def test_a_batch_goes_over_one_smtp_connection(petition, monkeypatch):
    sign_many(petition, 4)
    opened = []
    original = mailing.get_connection

    def counting(*args, **kwargs):
        opened.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(mailing, "get_connection", counting)
    assert send_confirmation_mails() == 4
    assert len(opened) == 1 and len(mail.outbox) == 4


def test_each_link_works_only_with_the_hash_stored_before_it_was_sent(petition):
    sign_many(petition, 2)
    send_confirmation_mails()
    for signature in Signature.objects.all():
        body = next(m.body for m in mail.outbox if m.to == [signature.email])
        secret = body.split(f"/confirm/{signature.pk}.")[1].split()[0]
        assert signature.token_matches(secret)


def test_a_second_batch_finds_nothing_to_send_twice(petition):
    sign_many(petition, 3)
    assert send_confirmation_mails() == 3
    assert send_confirmation_mails() == 0
    assert len(mail.outbox) == 3


def test_when_smtp_fails_mid_batch_the_sent_ones_stay_sent_and_the_rest_wait(petition, monkeypatch):
    sign_many(petition, 4)
    original, calls = mailing.build_mail, []

    def fails_on_the_second(*args, **kwargs):
        calls.append(1)
        message = original(*args, **kwargs)
        if len(calls) == 2:
            message.send = lambda: (_ for _ in ()).throw(ConnectionError("smtp went away"))
        return message

    monkeypatch.setattr(mailing, "build_mail", fails_on_the_second)
    with pytest.raises(ConnectionError):
        send_confirmation_mails()
    assert Signature.objects.filter(mails_sent=1).count() == 1
    waiting = Signature.objects.filter(mail_requested_at__isnull=False)
    assert waiting.count() == 3
    # The one that failed mid-send may have reached the server: it waits for its claim
    # to go stale. The two never tried are free for the next batch at once.
    assert waiting.filter(mail_claimed_at__isnull=True).count() == 2
    monkeypatch.setattr(mailing, "build_mail", original)
    assert send_confirmation_mails() == 2


def test_rates_are_still_assessed_before_the_mail_goes_out(petition, settings):
    settings.LIMIT_DOMAIN_PER_HOUR = 2
    for i in range(4):
        sign_petition(petition, SignRequest(name=f"Signer {i}", email=f"x{i}@tiny.example",
                                            country="AM"))  # fmt: skip
    send_confirmation_mails()
    assert not Signature.objects.filter(assessed_at__isnull=True).exists()
    assert Signature.objects.filter(held_reason="domain-rate").count() == 2  # 3rd and 4th
    assert len(mail.outbox) == 4  # held ones get their e-mail like anyone else


@pytest.mark.parametrize("language", ["en", "hy"])
def test_a_batch_rendered_once_reads_exactly_like_each_one_rendered_alone(language):
    from undersigned.lib.emails import build_message

    stencils: dict = {}
    varying = ("name", "confirm_url", "withdraw_url", "unsubscribe_url")
    for name in ["Anahit Karapetyan", 'O\'Brien & <Sons> "Ltd"', "Ünïcode Ոսկի"]:
        context = {
            "name": name, "petition_title": "Keep <the> library", "petition_url": "http://x/p",
            "confirm_url": f"http://x/confirm/1.{len(name)}a&b", "withdraw_url": "http://x/w?a=1&b=2",
            "unsubscribe_url": "http://x/u", "days": 30,
        }  # fmt: skip
        alone = build_message("confirm_signature", "a@example.org", context, language)
        batched = build_message(
            "confirm_signature", "a@example.org", context, language,
            stencils=stencils, varying=varying,
        )  # fmt: skip
        assert batched.subject == alone.subject and batched.body == alone.body
        assert batched.alternatives == alone.alternatives
    assert len(stencils) == 1 and None not in stencils.values()


def test_signatures_made_at_the_same_instant_are_ranked_by_id(petition, settings):
    from undersigned.signatures.risk import assess_rates

    settings.LIMIT_DOMAIN_PER_HOUR = 2
    for i in range(4):
        sign_petition(petition, SignRequest(name=f"Signer {i}", email=f"y{i}@tiny.example",
                                            country="AM"))  # fmt: skip
    Signature.objects.update(created_at=timezone.now())  # one tick of the clock for all
    first = Signature.objects.order_by("pk").first()
    assert assess_rates(first.pk) == ""  # alone, by the row-by-row rule
    send_confirmation_mails()  # the others, by the batch rule
    held = Signature.objects.filter(held_reason="domain-rate").order_by("pk")
    assert [s.pk for s in held] == [s.pk for s in Signature.objects.order_by("pk")[2:]]


def test_a_dead_workers_batch_is_taken_over_after_a_minute(petition):
    from datetime import timedelta

    sign_many(petition, 3)
    claimed = timezone.now()
    Signature.objects.update(mail_claimed_at=claimed)  # a worker claimed them, then died
    assert send_confirmation_mails() == 0  # a live worker's claim is not taken over
    Signature.objects.update(mail_claimed_at=claimed - timedelta(seconds=61))
    assert send_confirmation_mails() == 3


def test_a_slow_batch_renews_its_claim_so_no_other_worker_sends_it_too(petition, monkeypatch):
    from datetime import timedelta

    sign_many(petition, 3)
    clock = [timezone.now()]
    monkeypatch.setattr(mailing.timezone, "now", lambda: clock[0])
    real_send, seen = mailing._confirmation_message, []

    def slow_mail_server(row, *args):
        clock[0] += timedelta(seconds=40)  # each e-mail takes 40 s to be accepted
        seen.append(
            Signature.objects.filter(mail_sent_at__isnull=True)
            .filter(mail_claimed_at__lt=clock[0] - mailing.CLAIM_STALE)
            .count()
        )
        return real_send(row, *args)

    monkeypatch.setattr(mailing, "_confirmation_message", slow_mail_server)
    assert send_confirmation_mails() == 3
    assert seen == [0, 0, 0]  # at no moment did another worker see a stale claim


def test_each_row_is_written_twice_per_email_its_claim_and_its_sent_mark(petition):
    """Every UPDATE of a signature writes a new version of the row and of its index
    entries: the claim carries the rate assessment and the token's hash with it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_many(petition, 4)
    with CaptureQueriesContext(connection) as queries:
        assert send_confirmation_mails() == 4
    updates = [q["sql"] for q in queries if 'UPDATE "signatures_signature"' in q["sql"]
               or "UPDATE signatures_signature" in q["sql"]]  # fmt: skip
    # one statement run for each row (Django logs it as "4 times: …") claims, and one per
    # row marks it sent; nothing else writes the rows
    claims = [sql for sql in updates if sql.startswith("4 times: ")]
    assert len(claims) == 1 and "mail_claimed_at = %s" in claims[0]
    assert len(updates) == 1 + 4, updates
    for row in Signature.objects.all():
        assert row.assessed_at and row.held_reason == "" and row.token_hash
        assert row.mail_sent_at and row.mail_claimed_at is None
