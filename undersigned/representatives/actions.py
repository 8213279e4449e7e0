"""Asking representatives for their position when their region reaches its quorum, and
publishing the answer they give through their private link.

Driven by rows, not by hooks in other apps: the clock runs `ask_representatives()`
every minute. It reads each open petition's region counts, inserts one PositionRequest
per representative of every region at or past its quorum (ON CONFLICT DO NOTHING, so
parallel workers and reruns insert each once) and queues each row's e-mail once
(`queued_at`, claimed by a conditional UPDATE). The worker makes the private link when
it sends the e-mail (`send_request`): only its hash is stored, never in the job queue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import formats, timezone, translation

from undersigned.lib import links
from undersigned.lib.emails import build_message
from undersigned.petitions.models import Petition
from undersigned.regions.lookups import quorum_for, region_named
from undersigned.representatives.models import PUBLIC_STATES, PositionRequest, Representative
from undersigned.signatures.regions import region_counts

logger = logging.getLogger(__name__)

BATCH = 500  # rows queued per clock run; the next run takes the rest
STALE_TELLING = timedelta(minutes=10)  # a mailing to signers not moving is queued again


def schemes_with_representatives() -> set[str]:
    return set(Representative.objects.values_list("region_scheme", flat=True).distinct())


def regions_at_quorum(petition: Petition, represented: set[str]) -> dict[str, int]:
    """{region code: count} of the regions with representatives (`represented`) whose
    count reached the quorum: the petition's own, else its scheme's, else the site's."""
    counts = region_counts(petition, fresh=True)
    reached = {}
    for code in represented & counts.keys():
        quorum = quorum_for(
            petition.region_scheme, code, petition.region_quorum, settings.REGION_QUORUM
        )
        if quorum is not None and counts[code] >= quorum:
            reached[code] = counts[code]
    return reached


def ask_representatives(now: datetime | None = None) -> int:
    """The clock's job: ask every representative whose region reached its quorum, once.

    1. Open petitions addressed to a scheme that has representatives.
    2. Their region counts, fresh (not the 2-second cache), against each quorum.
    3. One row per representative of each region reached, inserted with the
       database's own conflict handling: a second worker, or a rerun, inserts nothing.
    4. Queue the e-mail of every row not queued yet (one conditional UPDATE each).
    Returns how many e-mails were queued.
    """
    from undersigned.representatives.tasks import send_request

    now = now or timezone.now()
    schemes = schemes_with_representatives()
    petitions = Petition.objects.open_for_signing().filter(region_scheme__in=schemes)
    for petition in petitions.only("pk", "region_scheme", "region_quorum").order_by("pk"):
        represented = Representative.objects.filter(region_scheme=petition.region_scheme)
        codes = set(represented.values_list("region_code", flat=True))
        reached = regions_at_quorum(petition, codes)
        if not reached:
            continue
        asked = PositionRequest.objects.filter(petition=petition).values("representative_id")
        rows = [
            PositionRequest(
                petition=petition,
                representative=r,
                region_code=r.region_code,
                signature_count=reached[r.region_code],
                created_at=now,
            )
            for r in represented.filter(region_code__in=list(reached)).exclude(pk__in=asked)
        ]
        PositionRequest.objects.bulk_create(rows, ignore_conflicts=True)
    resume_telling(now)
    return queue_unsent(PositionRequest, send_request, now)


def queue_unsent(model: type[Model], task, now: datetime) -> int:
    """Queue the e-mail of each row of `model` not queued yet, each once: the row's
    `queued_at` is claimed by a conditional UPDATE in the transaction that queues it."""
    queued = 0
    waiting = model.objects.filter(queued_at__isnull=True).order_by("pk")
    for pk in waiting.values_list("pk", flat=True)[:BATCH]:
        with transaction.atomic():
            if model.objects.filter(pk=pk, queued_at__isnull=True).update(queued_at=now):
                task.enqueue(pk)
                queued += 1
    return queued


def send_request(request_id: int, now: datetime | None = None) -> bool:
    """The worker sends one request: it makes the private link, stores its hash and the
    time, then sends. Safe to run twice: a sent request is not sent again."""
    from undersigned.representatives import subscriptions

    now = now or timezone.now()
    request = (
        PositionRequest.objects.select_related("representative", "petition")
        .filter(pk=request_id, sent_at__isnull=True, petition__state__in=PUBLIC_STATES)
        .first()
    )
    if request is None:
        return False
    secret, token_hash = links.new_secret()
    unsent = PositionRequest.objects.filter(pk=request.pk, sent_at__isnull=True)
    if not unsent.update(sent_at=now, token_hash=token_hash):
        return False  # another worker sent it
    PositionRequest.objects.filter(pk=request.pk, asked_at__isnull=True).update(asked_at=now)
    request.sent_at = now
    representative = request.representative
    # Their own link to subscribe comes with their first request (and again once the
    # last one has expired): `issue_alert_link` says "" when a valid one is out there.
    alert_token = subscriptions.issue_alert_link(representative, now)
    try:
        _request_message(request, links.make_token(request.pk, secret), alert_token).send()
    except Exception:
        # Not sent after all: let the retry make a new link and send it.
        unsent = PositionRequest.objects.filter(pk=request.pk, sent_at=now)
        unsent.update(sent_at=None, token_hash="")
        if alert_token:
            subscriptions.withdraw_alert_link(representative, now)
        raise
    return True


def _request_message(request: PositionRequest, token: str, alert_token: str):
    petition, representative = request.petition, request.representative
    language = petition.language
    region = region_named(representative.region_scheme, request.region_code)
    with translation.override(language):
        expires = formats.date_format(timezone.localtime(request.expires_at), "DATE_FORMAT")
    alert_url = ""
    if alert_token:
        alert_url = settings.SITE_URL + reverse("representatives:alerts", args=[alert_token])
    context = {
        "name": representative.name,
        "title": petition.title,
        "url": petition.absolute_url(),
        "region": region.name if region else request.region_code,
        "count": request.signature_count,
        "link": settings.SITE_URL + reverse("representatives:answer", args=[token]),
        "expires": expires,
        "page": settings.SITE_URL + representative.get_absolute_url(),
        "alert_url": alert_url,
        "subscribe_url": settings.SITE_URL + reverse("representatives:subscribe"),
    }
    return build_message("representatives/request", representative.email, context, language)


# The private link --------------------------------------------------------------------


class LinkState:
    MALFORMED = links.MALFORMED
    EXPIRED = links.EXPIRED
    USED = links.USED
    UNAVAILABLE = "unavailable"  # the petition is no longer public
    VALID = "valid"


def request_from_token(token: str, now: datetime | None = None):
    """(the request a link is for, or None; the link's state)."""
    found = links.find(PositionRequest.objects.select_related("representative", "petition"), token)
    request = found.row
    if request is None:
        return None, LinkState.MALFORMED
    if request.used_at is not None:
        return request, LinkState.USED
    if request.petition.state not in PUBLIC_STATES:
        return request, LinkState.UNAVAILABLE
    if request.expired(now or timezone.now()):
        return request, LinkState.EXPIRED
    return request, LinkState.VALID


def record_position(
    request: PositionRequest, position: str, reason: str, now: datetime | None = None
) -> bool:
    """Publish the representative's answer. The link is spent by the same conditional
    UPDATE that writes the answer, so a double click or a second tab publishes nothing;
    the signers of the region are told in the background, once. False: already used."""
    from undersigned.representatives.tasks import tell_signers

    now = now or timezone.now()
    with transaction.atomic():
        unused = PositionRequest.objects.filter(
            pk=request.pk, used_at__isnull=True, token_hash=request.token_hash
        ).exclude(token_hash="")
        spent = links.use_once(
            unused, used_at=now, answered_at=now, position=position, reason=reason,
            told_progress_at=now,
        )  # fmt: skip
        if not spent:
            return False
        tell_signers.enqueue(request.pk)
    logger.info("representative %s answered on petition %s", request.representative_id,
                request.petition_id)  # fmt: skip
    return True


def renew_link(request: PositionRequest, now: datetime | None = None) -> bool:
    """From an expired link: send a new one to the address on file (never to one typed
    here). Only an expired, unanswered link can ask, so this sends at most one e-mail per
    link lifetime. The old link stops working. False if nothing was sent."""
    from undersigned.representatives.tasks import send_request

    now = now or timezone.now()
    if request.used_at is not None or not request.expired(now):
        return False
    with transaction.atomic():
        renewed = PositionRequest.objects.filter(
            pk=request.pk, used_at__isnull=True, sent_at=request.sent_at
        ).update(sent_at=None, token_hash="", queued_at=now)
        if renewed:
            send_request.enqueue(request.pk)
    return bool(renewed)


def resume_telling(now: datetime) -> int:
    """Queue again the mailings to signers that stopped moving (a lost job, a dead
    worker); the conditional UPDATE lets one clock run queue each."""
    from undersigned.representatives.tasks import tell_signers

    before = now - STALE_TELLING
    stuck = PositionRequest.objects.filter(
        answered_at__isnull=False, told_at__isnull=True, told_progress_at__lt=before
    )
    resumed = 0
    for pk in stuck.values_list("pk", flat=True)[:BATCH]:
        if stuck.filter(pk=pk).update(told_progress_at=now):
            tell_signers.enqueue(pk)
            resumed += 1
    return resumed
