"""Elected representatives, what they were asked and what they answered.

A representative sits for one region of one region scheme (the regions app). When a
petition addressed to "the representatives of the signers' regions" reaches its quorum in
a region, each representative of that region gets one `PositionRequest`: a row that is
both the claim (unique per petition and representative) and the private link's record.
Their answer is written on the same row, so it is published once, by the link.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from undersigned.lib import links
from undersigned.petitions.models import Petition

PUBLIC_STATES = [Petition.State.OPEN, Petition.State.CLOSED]
REASON_LENGTH = 1000


class Representative(models.Model):
    """One elected representative, imported by the operator (import_representatives).
    Their address is used only to send them their private links: never shown."""

    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=200, blank=True)
    region_scheme = models.CharField(_("region scheme"), max_length=40)
    region_code = models.CharField(_("region"), max_length=40)
    # Lower case, so that one person is one row per scheme however a file spells it.
    email = models.EmailField(_("e-mail address"), max_length=254)
    party = models.CharField(_("party"), max_length=100, blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    # Their subscription: told when their region reaches this many signers on an open
    # petition (null: not subscribed), set through their own link (alert_token_hash).
    alert_threshold = models.PositiveIntegerField(null=True, blank=True)
    alert_token_hash = models.CharField(max_length=64, blank=True)
    alert_link_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region_scheme", "email"], name="one_representative_per_address"
            )
        ]
        indexes = [
            models.Index(fields=["region_scheme", "region_code"], name="representative_region")
        ]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name

    def get_absolute_url(self) -> str:
        return reverse("representatives:detail", args=[self.pk])

    def alert_link_expired(self, now: datetime) -> bool:
        return links.expired(self.alert_link_sent_at, link_lifetime(), now)


def link_lifetime() -> timedelta:
    """Representatives' links last as long as decision makers' answer links: both are
    written to people who may take weeks to answer."""
    return timedelta(days=settings.RESPONSE_LINK_DAYS)


class PositionRequestQuerySet(models.QuerySet["PositionRequest"]):
    def public(self) -> PositionRequestQuerySet:
        """Requests the public may see: e-mailed, about a petition that is still public."""
        return self.filter(asked_at__isnull=False, petition__state__in=PUBLIC_STATES)

    def waiting(self) -> PositionRequestQuerySet:
        return self.filter(answered_at__isnull=True)

    def summary(self) -> dict[str, int]:
        """{"asked": n, "answered": n, "agree": n, "disagree": n, "undecided": n}."""
        answered = Count("pk", filter=Q(answered_at__isnull=False))
        figures = {"asked": Count("pk"), "answered": answered}
        for value in PositionRequest.Position.values:
            figures[value] = Count("pk", filter=Q(position=value))
        return self.aggregate(**figures)


class PositionRequest(models.Model):
    """One representative asked for their position on one petition, and their answer.

    1. The clock inserts the row when the region reaches its quorum: the unique
       constraint (petition, representative) makes that happen once, whatever the
       number of workers (ON CONFLICT DO NOTHING).
    2. `queued_at` is claimed by a conditional UPDATE when its e-mail is queued, and
       `sent_at` when the worker sends it, with the link's hash: one e-mail each.
    3. The answer spends the link (`used_at`) in the same UPDATE that writes it.
    4. `told_cursor` walks the region's signers who asked for updates, one claim per
       e-mail, so each is told once; `told_at` when all were.
    """

    class Position(models.TextChoices):
        AGREE = "agree", _("agree")
        DISAGREE = "disagree", _("disagree")
        UNDECIDED = "undecided", _("undecided")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    representative = models.ForeignKey(
        Representative, on_delete=models.CASCADE, related_name="requests"
    )
    region_code = models.CharField(max_length=40)
    signature_count = models.PositiveBigIntegerField(default=0)  # in the region, when asked
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the first e-mail went out: what "asked on" and "days waiting" count from. A
    # new link (the old one expired) moves `sent_at`, never this.
    asked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    position = models.CharField(max_length=10, choices=Position.choices, blank=True)
    reason = models.TextField(max_length=REASON_LENGTH, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    told_cursor = models.PositiveBigIntegerField(default=0)
    told_progress_at = models.DateTimeField(null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)

    objects = PositionRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "representative"], name="one_request_per_representative"
            )
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(queued_at__isnull=True), name="request_unqueued"
            ),
            models.Index(fields=["petition", "answered_at"], name="request_petition"),
        ]
        ordering = ["-answered_at", "sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.representative_id} on {self.petition_id}"

    @property
    def expires_at(self) -> datetime | None:
        return self.sent_at + link_lifetime() if self.sent_at else None

    def expired(self, now: datetime) -> bool:
        return links.expired(self.sent_at, link_lifetime(), now)

    def days_waiting(self, now: datetime) -> int:
        return max((now - self.asked_at).days, 0) if self.asked_at else 0


class Alert(models.Model):
    """A subscribed representative told that their region reached their number of
    signers on one petition: once per petition (the unique constraint), sent like a
    request (queued_at, then sent_at claimed by the worker)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    representative = models.ForeignKey(
        Representative, on_delete=models.CASCADE, related_name="alerts"
    )
    signature_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "representative"], name="one_alert_per_petition"
            )
        ]

    def __str__(self) -> str:
        return f"alert {self.representative_id} on {self.petition_id}"
