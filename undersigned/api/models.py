"""Partners' API keys and their submissions; organizers' webhooks and their deliveries."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition

KEY_PREFIX = "usk_"  # so a leaked key is recognisable by secret scanners
REFUSED = "refused: "  # how last_error starts when the address itself was refused


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)

    def find(self, raw: str) -> ApiKey | None:
        """The active key with this raw value: looked up by prefix, compared by hash."""
        prefix, _dot, secret = raw.removeprefix(KEY_PREFIX).partition(".")
        if not raw.startswith(KEY_PREFIX) or len(prefix) != 8 or not secret:
            return None
        key = self.active().filter(prefix=prefix).first()
        if key is None or not secrets.compare_digest(key.key_hash, _sha256(raw)):
            return None
        return key


class ApiKey(models.Model):
    """A partner's key for signing through the API. Only its SHA-256 is stored: the raw
    key is shown once, when it is made (the admin or `manage.py create_api_key`)."""

    name = models.CharField(_("partner name"), max_length=100)
    prefix = models.CharField(max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    all_petitions = models.BooleanField(
        _("all petitions"), default=False, help_text=_("Otherwise only the petitions chosen.")
    )
    petitions = models.ManyToManyField(Petition, blank=True, related_name="+")
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({KEY_PREFIX}{self.prefix}…)"

    def new_secret(self) -> str:
        """Give this (unsaved) key a fresh value; return the raw key to show once."""
        self.prefix = secrets.token_hex(4)
        raw = f"{KEY_PREFIX}{self.prefix}.{secrets.token_urlsafe(32)}"
        self.key_hash = _sha256(raw)
        return raw

    def covers(self, petition: Petition) -> bool:
        return self.all_petitions or self.petitions.filter(pk=petition.pk).exists()


class PartnerSubmission(models.Model):
    """A signature a partner sent, under the partner's own reference (unique per key)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="submissions")
    reference = models.CharField(max_length=100)
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    signature = models.ForeignKey(
        "signatures.Signature", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "reference"], name="one_reference_per_key")
        ]
        indexes = [models.Index(fields=["api_key", "petition", "id"], name="submission_feed")]

    def __str__(self) -> str:
        return f"{self.reference} on petition {self.petition_id}"

    @property
    def confirmed(self) -> bool:
        """Counted, and confirmed after this submission: a partner never learns that an
        address it sent had signed (and confirmed) before, through the site or elsewhere."""
        signature = self.signature
        return bool(
            signature is not None
            and signature.is_counted
            and signature.confirmed_at
            and signature.confirmed_at >= self.created_at
        )


class Webhook(models.Model):
    class Event(models.TextChoices):
        MILESTONE = "milestone", _("The count passes a milestone (100, 250, 500, 1,000, …)")
        CLOSED = "closed", _("The petition closes")
        RESPONSE = "response", _("A response is published")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    # Kept as is (not hashed): every delivery is signed with it.
    secret = models.CharField(max_length=64, editable=False)
    events = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def new_secret(self) -> str:
        self.secret = "whsec_" + secrets.token_urlsafe(32)
        return self.secret


class DeliveryQuerySet(models.QuerySet["WebhookDelivery"]):
    def due(self, now: datetime) -> DeliveryQuerySet:
        """Pending and due, and not being sent (a claim older than CLAIM_TIMEOUT is from a
        worker that died: the delivery is due again)."""
        stale = now - WebhookDelivery.CLAIM_TIMEOUT
        return self.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now).filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
        )


class WebhookDelivery(models.Model):
    """One event for one webhook. The body is fixed when the event happens, so every
    attempt sends the same bytes (and the same delivery id, for receivers to dedupe)."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")  # gave up after MAX_ATTEMPTS

    MAX_ATTEMPTS = 8
    CLAIM_TIMEOUT = timedelta(minutes=5)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id}: {self.state}"

    @property
    def outcome(self) -> str:
        """The last failed attempt as the organizer's page tells it: the class of the HTTP
        status, a refused address, or no answer. Never the status itself nor the network's
        error ("connection refused", "timed out"): told apart, they would make the page a
        probe of other people's hosts and ports. last_error keeps the detail for staff."""
        if self.state == self.State.DELIVERED or not self.attempts:
            return ""
        if self.last_status:
            return gettext("answered HTTP %(class)sxx") % {"class": self.last_status // 100}
        if self.last_error.startswith(REFUSED):
            return gettext("the address is refused: not a public internet address")
        return gettext("no answer")

    @staticmethod
    def backoff(attempts: int) -> timedelta:
        """30 s, 1 min, 2 min, 4 min, … about an hour before the last attempt."""
        return timedelta(seconds=30 * 2 ** max(attempts - 1, 0))


class MilestoneState(models.Model):
    """The highest rung of the goal ladder already announced for a petition."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, primary_key=True)
    last_rung = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"petition {self.petition_id}: {self.last_rung}"
