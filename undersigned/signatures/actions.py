"""Writes about signatures: sign, send the confirmation, confirm, withdraw, count.

Each action claims its row with a conditional UPDATE and acts only if that changed a
row, so double clicks, retries and parallel workers cannot confirm or count twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from undersigned.lib.client import Address, address_hash, block
from undersigned.lib.emails import build_message
from undersigned.petitions.models import Petition
from undersigned.privacy.links import signer_headers, unsubscribe_url
from undersigned.signatures import risk
from undersigned.signatures.models import SHARDS, CountShard, Signature, normalize_email
from undersigned.transparency.actions import append_event, erase_commitment


@dataclass(frozen=True)
class SignRequest:
    """What a signer typed, cleaned by SignForm, plus where they came from."""

    name: str
    email: str
    country: str
    postcode: str = ""
    comment: str = ""
    public: bool = False
    wants_updates: bool = False
    contact_by_organizer: bool = False
    language: str = "en"
    source: str = ""


@dataclass(frozen=True)
class Client:
    """What the request tells about the signer's connection (never stored raw)."""

    address: Address | None = None
    proof_ok: bool = False  # solved the proof-of-work challenge


def sign_petition(
    petition: Petition, data: SignRequest, client: Client | None = None, now=None
) -> Signature | None:
    """Record a signature and queue its confirmation e-mail in one transaction; return it.

    A second signature from the same address is not an error the signer sees: it asks
    for the confirmation e-mail again (when still unconfirmed) and answers the same. Then
    the first signature is returned (None only if it vanished meanwhile).
    """
    from undersigned.signatures.tasks import deliver_confirmation

    now = now or timezone.now()
    client = client or Client()
    normalized = normalize_email(data.email)
    domain = normalized.rpartition("@")[2]
    held_reason, risk_signals = risk.screen(normalized, domain, client.address, client.proof_ok)
    ip_hash = address_hash(client.address, now) if client.address else ""
    if not held_reason and ip_hash and risk.burst_in_cache(petition.pk, ip_hash, risk_signals):
        held_reason = "address-burst"
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                petition=petition,
                name=data.name,
                email=data.email,
                email_normalized=normalized,
                email_domain=domain,
                ip_hash=ip_hash,
                ip_block=block(client.address) if client.address else "",
                consent_version=settings.CONSENT_VERSION,
                held_reason=held_reason,
                risk=risk_signals,
                country=data.country,
                postcode=data.postcode,
                comment=data.comment,
                public=data.public,
                wants_updates=data.wants_updates,
                contact_by_organizer=data.contact_by_organizer,
                language=data.language,
                source=data.source[:64],
                mail_requested_at=now,
            )
            deliver_confirmation.enqueue(signature.pk)
        return signature
    except IntegrityError:
        existing = Signature.objects.filter(
            petition=petition, email_normalized=normalize_email(data.email)
        ).first()
        if existing is not None:
            request_confirmation_mail(existing, now)
        return existing


def request_confirmation_mail(signature: Signature, now: datetime | None = None) -> bool:
    """Ask for the confirmation e-mail again, at most SIGNATURE_MAX_CONFIRMATION_EMAILS."""
    from undersigned.signatures.tasks import deliver_confirmation

    now = now or timezone.now()
    with transaction.atomic():
        asked = Signature.objects.filter(
            pk=signature.pk,
            confirmed_at__isnull=True,
            withdrawn_at__isnull=True,
            mail_requested_at__isnull=True,
            mails_sent__lt=settings.SIGNATURE_MAX_CONFIRMATION_EMAILS,
        ).update(mail_requested_at=now)
        if asked:
            deliver_confirmation.enqueue(signature.pk)
    return bool(asked)


def send_confirmation_mail(signature_id: int) -> bool:
    """Send the confirmation e-mail for a signature that asked for one.

    1. Claim the row (a claim older than ten minutes is from a worker that died).
    2. Make a fresh token, keep only its hash, and send the link.
    3. Mark the e-mail sent. A crash between 2 and 3 sends it once more, never never.
    """
    now = timezone.now()
    risk.assess_rates(signature_id, now)  # first, so a held signature never counts
    stale = now - timezone.timedelta(minutes=10)
    claimable = Signature.objects.filter(
        pk=signature_id, mail_requested_at__isnull=False, confirmed_at__isnull=True
    ).exclude(mail_claimed_at__gt=stale)
    signature = claimable.select_related("petition").first()
    if signature is None:
        return False
    token = signature.new_token(now)
    claimed = claimable.update(
        mail_claimed_at=now, token_hash=signature.token_hash, token_created_at=now
    )
    if not claimed:
        return False
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "petition_url": signature.petition.absolute_url(),
        "confirm_url": settings.SITE_URL + reverse("signatures:confirm", args=[token]),
        "withdraw_url": settings.SITE_URL
        + reverse("signatures:withdraw", args=[signature.withdraw_key()]),
        "unsubscribe_url": unsubscribe_url(signature),
        "days": settings.SIGNATURE_TOKEN_DAYS,
    }
    build_message(
        "confirm_signature",
        signature.email,
        context,
        signature.language,
        headers=signer_headers(signature),
    ).send()
    Signature.objects.filter(pk=signature_id).update(
        mail_requested_at=None, mail_claimed_at=None, mail_sent_at=timezone.now(),
        mails_sent=F("mails_sent") + 1,
    )  # fmt: skip
    return True


def confirm_signature(signature: Signature, secret: str, now: datetime | None = None) -> int | None:
    """Confirm with the e-mailed secret. Returns the signer's number, or None if the link
    was already used (or replaced) meanwhile."""
    now = now or timezone.now()
    shard = random.randrange(SHARDS)
    with transaction.atomic():
        confirmed = Signature.objects.filter(
            pk=signature.pk,
            token_hash=signature.token_hash,
            confirmed_at__isnull=True,
            withdrawn_at__isnull=True,
        ).update(confirmed_at=now, token_hash="", shard=shard, mail_requested_at=None)
        if not confirmed:
            return None
        # Held or invalidated (a bulk invalidation may take unconfirmed rows) stays out.
        held, invalidated = (
            Signature.objects.filter(pk=signature.pk)
            .values_list("held_reason", "invalidated_at")
            .get()
        )
        if not held and invalidated is None:
            add_to_count(signature.petition_id, shard, +1)
            append_event(signature, "confirmed", now)
        number = CountShard.total(signature.petition_id)
    cache.delete(count_key(signature.petition_id))
    return number


def withdraw_signature(signature: Signature, now: datetime | None = None) -> bool:
    """Remove a signature: it stops counting and the signer's personal data is erased.

    The country stays, without a name, so per-country totals remain exact.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = Signature.objects.select_for_update().filter(pk=signature.pk).first()
        if row is None or row.withdrawn_at is not None:
            return False
        Signature.objects.filter(pk=row.pk).update(
            withdrawn_at=now, name="", email="", email_normalized="", postcode="", comment="",
            ip_hash="", ip_block="", email_domain="",
            public=False, wants_updates=False, contact_by_organizer=False, token_hash="",
            mail_requested_at=None,
        )  # fmt: skip
        if row.is_counted:
            add_to_count(row.petition_id, row.shard, -1)
            append_event(row, "withdrawn", now)
        erase_commitment(row)
    cache.delete(count_key(row.petition_id))
    return True


def add_to_count(petition_id: int, shard: int, delta: int) -> None:
    changed = CountShard.objects.filter(petition_id=petition_id, shard=shard).update(
        count=F("count") + delta
    )
    if not changed:
        # The first count on this shard: create it (another request may race us to it).
        CountShard.objects.bulk_create(
            [CountShard(petition_id=petition_id, shard=shard)], ignore_conflicts=True
        )
        CountShard.objects.filter(petition_id=petition_id, shard=shard).update(
            count=F("count") + delta
        )


def count_key(petition_id: int) -> str:
    return f"petition-count:{petition_id}"


def count_for(petition: Petition) -> int:
    """The public count, at most COUNT_CACHE_SECONDS old: a sum over a few shard rows."""
    key = count_key(petition.pk)
    count = cache.get(key)
    if count is None:
        count = CountShard.total(petition.pk)
        cache.set(key, count, settings.COUNT_CACHE_SECONDS)
    return count


def refresh_counts() -> int:
    """Copy the shard sums onto petitions (lists sort by it), only where they differ."""
    total = Subquery(
        CountShard.objects.filter(petition=OuterRef("pk"))
        .values("petition")
        .annotate(n=Sum("count"))
        .values("n")
    )
    petitions = Petition.objects.filter(
        state__in=[Petition.State.OPEN, Petition.State.CLOSED, Petition.State.HIDDEN]
    ).annotate(total=Coalesce(total, 0))
    return petitions.exclude(signature_count=F("total")).update(signature_count=F("total"))


def recount(petition: Petition) -> int:
    """Rebuild a petition's count from its rows (an operator's repair; slow on big ones)."""
    with transaction.atomic():
        Petition.objects.select_for_update().filter(pk=petition.pk).first()
        exact = Signature.objects.filter(petition=petition).counted().count()
        CountShard.objects.filter(petition=petition).delete()
        CountShard.objects.create(petition=petition, shard=0, count=exact)
        Signature.objects.filter(petition=petition).update(shard=0)
        Petition.objects.filter(pk=petition.pk).update(signature_count=exact)
    cache.delete(count_key(petition.pk))
    return exact


def requeue_lost_confirmation_mails(now: datetime | None = None) -> int:
    """Queue again the confirmation e-mails whose job vanished (a killed worker, a crash)."""
    from undersigned.signatures.tasks import deliver_confirmation

    now = now or timezone.now()
    ids = list(
        Signature.objects.awaiting_mail(now - timezone.timedelta(minutes=2)).values_list(
            "pk", flat=True
        )[:1000]
    )
    for signature_id in ids:
        deliver_confirmation.enqueue(signature_id)
    return len(ids)


def email_receipt(signature: Signature) -> bool:
    """Queue the signer's transparency-log receipt to their address (once an hour at most),
    so they keep it beyond this browser. False if there is none or one was just sent."""
    from urllib.parse import urlencode

    from undersigned.lib.emails import queue_email
    from undersigned.transparency.receipts import receipt_for

    found = receipt_for(signature)
    if found is None or not signature.email:
        return False
    if not cache.add(f"receipt-mail:{signature.pk}", 1, 3600):
        return False
    log_url = settings.SITE_URL + reverse("transparency:log", args=[found.petition_id])
    query = urlencode({"entry": found.entry_id, "salt": found.secret})
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "entry_id": found.entry_id,
        "code": found.secret,
        "check_url": settings.SITE_URL
        + reverse("transparency:receipt", args=[found.petition_id])
        + "?"
        + query,
        "command": f"undersigned verify {log_url} --receipt {found}",
        "withdraw_url": settings.SITE_URL
        + reverse("signatures:withdraw", args=[signature.withdraw_key()]),
        "unsubscribe_url": unsubscribe_url(signature),
    }
    queue_email(
        "signature_receipt", signature.email, context, signature.language,
        headers=signer_headers(signature),
    )  # fmt: skip
    return True
