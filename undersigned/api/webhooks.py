"""Webhooks for organizers: events queued with the change, delivered by the worker.

`emit()` writes one WebhookDelivery per interested webhook and queues its task in the
caller's transaction, so an event is recorded exactly when the change commits. The task
claims the delivery with a conditional UPDATE, so two workers (or a task queued twice)
never send it twice at once; a worker killed mid-send leaves a claim that expires after
CLAIM_TIMEOUT, and the delivery is sent again, with the same id for receivers to dedupe.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from undersigned.api import transport
from undersigned.api.models import REFUSED, MilestoneState, Webhook, WebhookDelivery
from undersigned.petitions.goals import current_goal, ladder
from undersigned.petitions.models import Petition

logger = logging.getLogger(__name__)
Delivery = WebhookDelivery


def emit(petition: Petition, event: str, payload: dict, now: datetime | None = None) -> int:
    """Queue `event` to each of the petition's webhooks that asked for it; return how many.

    Call it inside the transaction that makes the change: the deliveries and their tasks
    commit, or roll back, with it.
    """
    from undersigned.api.tasks import deliver_webhook

    if event not in Webhook.Event.values:
        raise ValueError(f"unknown webhook event {event!r}")
    now = now or timezone.now()
    hooks = [hook for hook in Webhook.objects.filter(petition=petition) if event in hook.events]
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            _delivery(hook, petition, event, payload, now) for hook in hooks
        )
        for delivery in deliveries:
            deliver_webhook.enqueue(str(delivery.pk))
    return len(deliveries)


def _delivery(hook: Webhook, petition: Petition, event: str, payload: dict, now: datetime):
    delivery = Delivery(webhook=hook, event=event, next_attempt_at=now)
    body = {
        "id": str(delivery.pk),
        "event": event,
        "created_at": now,
        "petition": {"id": petition.pk, "title": petition.title, "url": petition.absolute_url()},
        "data": payload,
    }
    delivery.body = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
    return delivery


def deliver(delivery_id: str, now: datetime | None = None) -> str:
    """Send one delivery if it is due and nobody else is sending it; return its state.

    1. Claim it: UPDATE … WHERE pending AND due AND not claimed (or the claim is stale).
    2. POST the stored body, signed with the webhook's secret and the current time.
    3. Mark it delivered (a 2xx), or schedule the next attempt with backoff, or give up.
    """
    now = now or timezone.now()
    claimed = Delivery.objects.due(now).filter(pk=delivery_id)
    if not claimed.update(claimed_at=now, attempts=F("attempts") + 1):
        return "skipped"
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    status, error = _send(delivery)
    ours = Delivery.objects.filter(pk=delivery_id, claimed_at=now)
    if status is not None and 200 <= status < 300:
        ours.update(
            state=Delivery.State.DELIVERED,
            delivered_at=timezone.now(),
            last_status=status,
            last_error="",
            claimed_at=None,
        )
        return Delivery.State.DELIVERED
    permanent = isinstance(error, transport.Refused | ValueError)  # a bad address stays bad
    last_error = (str(error) if error else f"HTTP {status}")[:190]
    if isinstance(error, transport.Refused):
        last_error = REFUSED + last_error
    if permanent or delivery.attempts >= Delivery.MAX_ATTEMPTS:
        ours.update(
            state=Delivery.State.FAILED, last_status=status, last_error=last_error, claimed_at=None
        )
        return Delivery.State.FAILED
    return _retry_later(delivery.pk, ours, status, last_error, now, delivery.attempts)


def _send(delivery: WebhookDelivery) -> tuple[int | None, Exception | None]:
    timestamp = int(time.time())
    body = delivery.body.encode()
    headers = {
        "X-Undersigned-Event": delivery.event,
        "X-Undersigned-Delivery": str(delivery.pk),
        "X-Undersigned-Timestamp": str(timestamp),
        "X-Undersigned-Signature": transport.signature(delivery.webhook.secret, timestamp, body),
    }
    try:
        return transport.post(delivery.webhook.url, body, headers), None
    except (transport.Refused, OSError, ValueError) as error:
        logger.info("webhook %s not delivered: %s", delivery.pk, error)
        return None, error


def _retry_later(
    delivery_id, ours, status: int | None, last_error: str, now: datetime, attempts: int
) -> str:
    """Release the claim with the next attempt's time, and queue its task for then."""
    from undersigned.api.tasks import deliver_webhook

    when = now + Delivery.backoff(attempts)
    with transaction.atomic():
        if ours.update(
            next_attempt_at=when, last_status=status, last_error=last_error, claimed_at=None
        ):
            deliver_webhook.using(run_after=when).enqueue(str(delivery_id))
    return Delivery.State.PENDING


def requeue_lost_deliveries(now: datetime | None = None) -> int:
    """Queue again the deliveries overdue by two minutes: their task was lost (a killed
    worker) or their claim went stale. A task queued twice is harmless: one claims it."""
    from undersigned.api.tasks import deliver_webhook

    now = now or timezone.now()
    ids = list(Delivery.objects.due(now - timedelta(minutes=2)).values_list("pk", flat=True)[:500])
    for delivery_id in ids:
        deliver_webhook.enqueue(str(delivery_id))
    return len(ids)


def highest_rung(count: int) -> int:
    """The highest rung of the goal ladder at or below `count` (0 below the first)."""
    reached = 0
    for rung in ladder():
        if rung > count:
            return reached
        reached = rung
    raise AssertionError("unreachable: the ladder is endless")


def check_milestones() -> int:
    """Announce each open petition with webhooks whose count passed a new rung since the
    last check (the highest one only, when several were passed); return how many.

    The rung is claimed with a conditional UPDATE, so parallel clocks announce it once.
    """
    announced = 0
    rows = Petition.objects.open_for_signing().filter(
        webhooks__isnull=False, signature_count__gte=next(ladder())
    )
    for petition in rows.distinct():
        rung = highest_rung(petition.signature_count)
        MilestoneState.objects.bulk_create(
            [MilestoneState(petition=petition)], ignore_conflicts=True
        )
        with transaction.atomic():
            state = MilestoneState.objects.filter(petition=petition, last_rung__lt=rung)
            if state.update(last_rung=rung):
                count = petition.signature_count
                payload = {
                    "milestone": rung,
                    "signature_count": count,
                    "next_goal": current_goal(count, petition.goal),
                }
                announced += bool(emit(petition, "milestone", payload))
    return announced


def add_webhook(petition: Petition, url: str, events: list[str], user) -> tuple[Webhook, str]:
    """A new webhook and its secret (shown once). Milestones already passed are not
    announced to it: the first it hears of is the next rung."""
    transport.check_url(url)
    webhook = Webhook(petition=petition, url=url, events=sorted(set(events)), created_by=user)
    secret = webhook.new_secret()
    with transaction.atomic():
        webhook.save()
        MilestoneState.objects.get_or_create(
            petition=petition, defaults={"last_rung": highest_rung(petition.signature_count)}
        )
    return webhook, secret
