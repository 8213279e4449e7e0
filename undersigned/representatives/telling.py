"""Telling signers that one of their representatives answered.

Who is told: the signers of the petition who asked for updates and whose region is the
representative's. Not every signer who asked for updates: a national petition can ask
hundreds of representatives, and each signer elects only their own, so telling everyone
of every answer would be hundreds of e-mails each. Signers of an unknown region are not
e-mailed; every answer is on the petition page and on the representative's page.

Each signer is told once per answer: `PositionRequest.told_cursor` is the highest
signature id already taken, moved by a conditional UPDATE before each message (a second
worker finds it moved and stops). A message that fails gives its signer back, so the
job's retry sends it; a worker killed mid-send loses at most that one message.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone, translation

from undersigned.lib.emails import build_mail
from undersigned.regions.lookups import region_named
from undersigned.representatives.models import PositionRequest
from undersigned.signatures.links import signer_headers, signer_links
from undersigned.signatures.models import Signature

VARYING = ("name", "withdraw_url", "unsubscribe_url")


def recipients(request: PositionRequest):
    """Counted signatures (confirmed, not withdrawn, invalidated or held) of the
    petition, in the representative's region, whose signer asked for updates."""
    return Signature.objects.counted().filter(
        petition_id=request.petition_id, region=request.region_code, wants_updates=True
    )


def tell_signers(request_id: int, now: datetime | None = None) -> int:
    """Send one batch of the answer's e-mail to the region's signers and queue the next;
    return how many were sent. Safe to run twice, or in two workers at once."""
    from undersigned.representatives.tasks import tell_signers as next_batch

    now = now or timezone.now()
    request = (
        PositionRequest.objects.select_related("petition", "representative")
        .filter(pk=request_id, answered_at__isnull=False, told_at__isnull=True)
        .first()
    )
    if request is None:
        return 0
    batch = list(
        recipients(request)
        .filter(pk__gt=request.told_cursor)
        .order_by("pk")[: settings.SIGNER_MAIL_BATCH]
    )
    if not batch:
        PositionRequest.objects.filter(pk=request.pk, told_at__isnull=True).update(told_at=now)
        return 0
    sent, cursor = 0, request.told_cursor
    stencils: dict = {}  # rendered once per language (lib/emails.py)
    connection = get_connection()
    try:
        connection.open()
        for signature in batch:
            mine = PositionRequest.objects.filter(pk=request.pk, told_cursor=cursor)
            if not mine.update(told_cursor=signature.pk, told_progress_at=timezone.now()):
                return sent  # another worker is telling these signers
            previous, cursor = cursor, signature.pk
            try:
                _message(request, signature, stencils, connection).send()
            except Exception:
                mine = PositionRequest.objects.filter(pk=request.pk, told_cursor=cursor)
                mine.update(told_cursor=previous)  # not told: the retry tells them
                raise
            sent += 1
    finally:
        connection.close()
    next_batch.enqueue(request.pk)
    return sent


def _message(request: PositionRequest, signature: Signature, stencils: dict, connection):
    petition, representative = request.petition, request.representative
    language = signature.language or petition.language
    _lang, petition_title, _html = petition.in_language(language)
    region = region_named(representative.region_scheme, request.region_code)
    with translation.override(language):
        position = PositionRequest.Position(request.position).label
        context = {
            "name": signature.name,
            "petition_title": petition_title,
            "petition_url": petition.absolute_url() + "#representatives",
            "representative": str(representative),
            "region": region.name if region else request.region_code,
            "position": str(position),
            "reason": request.reason,
            "page": settings.SITE_URL + representative.get_absolute_url(),
            **signer_links(signature),
        }
    headers = signer_headers(context)
    return build_mail(
        "representatives/position", signature.email, context, language, headers, stencils,
        VARYING, connection,
    )  # fmt: skip
