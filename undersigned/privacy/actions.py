"""Signers' privacy: stop updates, export or erase by e-mailed link, and retention.

Nothing here trusts the visitor about who they are: an export or an erasure happens
only through a link sent to the address itself, and the page that asks for one answers
the same whether or not the address ever signed anything.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from undersigned.lib import links
from undersigned.lib.emails import queue_email
from undersigned.petitions.models import Petition
from undersigned.privacy.models import LINK_LIFETIME, AnonymisedPetition, DataRequest
from undersigned.signatures.actions import count_key, withdraw_signature
from undersigned.signatures.models import Signature, normalize_email

BATCH = 1000
MAX_BATCHES = 50  # per run: a backlog drains over several runs, none holds a worker long

# What retention blanks. The country, the dates and the hold reason stay, so the count
# and the per-country totals of a closed petition never change.
ANONYMOUS = {
    "name": "", "email": "", "email_normalized": "", "email_domain": "", "postcode": "",
    "comment": "", "ip_hash": "", "ip_block": "", "token_hash": "", "public": False,
    "wants_updates": False, "contact_by_organizer": False, "mail_requested_at": None,
}  # fmt: skip


# Updates ---------------------------------------------------------------------------


def unsubscribe(signature: Signature) -> bool:
    """No more updates for this signature; it still counts. True if it changed."""
    return bool(
        Signature.objects.filter(pk=signature.pk, wants_updates=True).update(wants_updates=False)
    )


# Export and erasure ----------------------------------------------------------------


def request_data(email: str, kind: str, language: str = "en", now: datetime | None = None) -> None:
    """E-mail `email` a one-time link to export or erase what we hold about it.

    An address with no signature gets an e-mail saying so, without a link. At most one
    e-mail a minute per address, so nobody can flood someone's inbox from this form.
    """
    now = now or timezone.now()
    normalized = normalize_email(email)
    if not cache.add(f"data-request-mail:{normalized}", 1, 60):
        return
    context = {"kind": kind, "hours": int(LINK_LIFETIME.total_seconds() // 3600), "url": ""}
    with transaction.atomic():
        if Signature.objects.filter(email_normalized=normalized).exists():
            data_request = DataRequest.objects.create(
                kind=kind, email_normalized=normalized, created_at=now
            )
            token = data_request.new_token()
            data_request.save(update_fields=["token_hash"])
            context["url"] = settings.SITE_URL + reverse("privacy:data_link", args=[token])
        queue_email("data_request", email, context, language)


def check_data_link(token: str, now: datetime | None = None) -> DataRequest:
    """The request behind a link, if it can still be used; else raise links.Malformed,
    links.Used or links.Expired (an expired row may already be deleted: malformed)."""
    now = now or timezone.now()
    data_request = links.find(DataRequest.objects.all(), token).row
    if data_request is None:
        raise links.Malformed
    if data_request.used_at is not None:
        raise links.Used(data_request)
    if data_request.expired(now):
        raise links.Expired(data_request)
    return data_request


def signatures_of(data_request: DataRequest) -> QuerySet[Signature]:
    """The signatures a request is about: every one still holding its address."""
    return (
        Signature.objects.filter(email_normalized=data_request.email_normalized)
        .select_related("petition")
        .order_by("created_at", "pk")
    )


def _spend(data_request: DataRequest, now: datetime) -> bool:
    """Mark the link used (once, however many clicks race) and forget the address."""
    unused = DataRequest.objects.filter(pk=data_request.pk, used_at__isnull=True)
    return links.use_once(unused, used_at=now, email_normalized="")


def export_data(data_request: DataRequest, now: datetime | None = None) -> dict:
    """Everything held about the request's address: each of its signatures, nothing
    about anyone else. Spends the link; raises links.Used if it was spent meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _spend(data_request, now):
            raise links.Used(data_request)
        signatures = signatures_of(data_request)
        return {
            "site": settings.SITE_URL,
            "generated_at": now.isoformat(),
            "signatures": [_exported(signature) for signature in signatures],
        }


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _exported(signature: Signature) -> dict:
    # Anti-fraud verdicts (held, risk signals) are left out: telling them would teach a
    # bot how to pass. Everything about the person is in.
    return {
        "petition": {"title": signature.petition.title, "url": signature.petition.absolute_url()},
        "name": signature.name,
        "email": signature.email,
        "country": str(signature.country),
        "postcode": signature.postcode,
        "comment": signature.comment,
        "show_my_name_publicly": signature.public,
        "email_me_updates": signature.wants_updates,
        "organizers_may_email_me": signature.contact_by_organizer,
        "language": signature.language,
        "consent_version": signature.consent_version,
        "created_at": _when(signature.created_at),
        "confirmed_at": _when(signature.confirmed_at),
        "withdrawn_at": _when(signature.withdrawn_at),
        "email_domain": signature.email_domain,
        "network_block": signature.ip_block,
        "network_hash": signature.ip_hash,
    }


def erase_data(data_request: DataRequest, now: datetime | None = None) -> int:
    """Withdraw every signature of the request's address (each stops counting and its
    personal data is erased), then blank what withdrawal keeps for anti-fraud. Spends
    the link; raises links.Used if it was spent meanwhile. Returns how many were erased."""
    now = now or timezone.now()
    with transaction.atomic():
        if not _spend(data_request, now):
            raise links.Used(data_request)
        signatures = list(signatures_of(data_request))
        for signature in signatures:
            withdraw_signature(signature, now)
        Signature.objects.filter(pk__in=[s.pk for s in signatures]).update(
            ip_hash="", ip_block="", email_domain="", token_hash=""
        )
    for petition_id in {s.petition_id for s in signatures}:
        cache.delete(count_key(petition_id))  # again, now that the withdrawals are committed
    return len(signatures)


def forget_data_requests(now: datetime | None = None) -> int:
    """Delete requests a day after their link expired: unused ones still hold an address."""
    now = now or timezone.now()
    return DataRequest.objects.filter(created_at__lt=now - 2 * LINK_LIFETIME).delete()[0]


# Retention -------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (31 March − 1 = 28/29 Feb)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def due_for_anonymising(now: datetime) -> QuerySet[Petition]:
    """Petitions that stopped taking signatures more than RETENTION_MONTHS ago and have
    signatures not yet anonymised since.

    A petition stops when it closes or is rejected; if both happened (closed, hidden,
    reopened, rejected), the later one counts, so data is never erased early. A petition
    hidden while open never stopped: it waits until a moderator closes or rejects it.
    """
    cutoff = months_before(now, getattr(settings, "RETENTION_MONTHS", 6))
    ended = Greatest(Coalesce("closed_at", "rejected_at"), Coalesce("rejected_at", "closed_at"))
    return (
        Petition.objects.filter(
            state__in=[Petition.State.CLOSED, Petition.State.REJECTED, Petition.State.HIDDEN],
            opened_at__isnull=False,
        )
        .annotate(ended=ended)
        .filter(ended__lt=cutoff)
        .filter(
            Q(anonymised__isnull=True)
            | Q(anonymised__finished_at__isnull=True)
            | Q(anonymised__finished_at__lt=F("ended"))
        )
        .order_by("ended", "pk")
    )


def anonymise_expired(
    now: datetime | None = None, batch: int = BATCH, max_batches: int = MAX_BATCHES
) -> int:
    """Erase the signers' personal data of petitions past retention; return how many
    signatures were anonymised in this run.

    1. Find the petitions due (see `due_for_anonymising`).
    2. For each, blank the next `batch` signatures after `last_signature_id`, and move
       that mark forward in the same transaction.
    3. A short batch means the petition is done: note `finished_at`, so the next run
       skips it. Stop after `max_batches` batches; the next run carries on.
    Blanking an already blank row changes nothing, so overlapping runs are harmless.
    """
    now = now or timezone.now()
    done, batches = 0, 0
    for petition in due_for_anonymising(now):
        progress, _new = AnonymisedPetition.objects.get_or_create(
            petition=petition, defaults={"started_at": now}
        )
        while batches < max_batches:
            batches += 1
            ids = list(
                Signature.objects.filter(petition=petition, pk__gt=progress.last_signature_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            with transaction.atomic():
                Signature.objects.filter(pk__in=ids).update(**ANONYMOUS)
                progress.last_signature_id = max(ids, default=progress.last_signature_id)
                progress.anonymised += len(ids)
                progress.finished_at = now if len(ids) < batch else None
                progress.save(update_fields=["last_signature_id", "anonymised", "finished_at"])
            done += len(ids)
            if progress.finished_at:
                break
        if batches >= max_batches:
            break
    return done
