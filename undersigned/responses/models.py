from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition, Target

OPENED = 0  # the "threshold" of the notification sent when a petition opens


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Notification(models.Model):
    """One e-mail to a decision maker, and the private link in it to answer publicly.

    The row is the claim: an automatic notification is unique per (target, threshold),
    so parallel workers and reruns insert it, and send its e-mail, once. An organizer's
    resend is a row of its own (`resent`), with a fresh link.
    """

    class Event(models.TextChoices):
        OPENED = "opened", _("the petition opened")
        RESPONSE = "response", _("a response is requested")
        ESCALATION = "escalation", _("escalation")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="notifications")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=12, choices=Event.choices)
    # The signature count that triggered it (0 for "opened"), and the count when sent.
    threshold = models.PositiveBigIntegerField(default=OPENED)
    signature_count = models.PositiveBigIntegerField(default=0)
    resent = models.BooleanField(default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the worker when it sends the e-mail, with the answer link "<id>.<secret>"
    # made then: only the secret's SHA-256 is stored, and never in the job queue.
    sent_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    response = models.ForeignKey(
        "updates.Update", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "threshold"],
                condition=Q(resent=False),
                name="one_automatic_notification",
            )
        ]
        indexes = [models.Index(fields=["petition", "created_at"], name="notification_petition")]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.event} at {self.threshold}"

    def token_matches(self, secret: str) -> bool:
        return bool(self.token_hash) and secrets.compare_digest(
            self.token_hash, hash_secret(secret)
        )

    @property
    def expires_at(self) -> datetime | None:
        if self.sent_at is None:
            return None
        return self.sent_at + timedelta(days=settings.RESPONSE_LINK_DAYS)

    def expired(self, now: datetime) -> bool:
        return self.sent_at is None or now > self.sent_at + timedelta(
            days=settings.RESPONSE_LINK_DAYS
        )


@dataclass
class DecisionMaker:
    """A target with what happened to it: the e-mails sent and its published responses."""

    target: Target
    notifications: list[Notification]  # sent, oldest first
    responses: list  # of updates.Update, newest first

    @property
    def latest_response(self):
        return self.responses[0] if self.responses else None


def decision_makers_of(petition: Petition, *, queued: bool = False) -> list[DecisionMaker]:
    """The petition's targets, in order, with their notifications (sent ones, and with
    `queued` those still waiting for the worker too) and responses: three queries,
    whatever the number of targets."""
    from undersigned.updates.models import Update

    notifications = Notification.objects.select_related("sent_by")
    if not queued:
        notifications = notifications.filter(sent_at__isnull=False)
    targets = petition.targets.prefetch_related(
        models.Prefetch(
            "notifications",
            queryset=notifications.order_by("created_at", "pk"),
            to_attr="sent_notifications",
        ),
        models.Prefetch(
            "updates",
            queryset=Update.objects.filter(kind=Update.Kind.RESPONSE).order_by("-created_at"),
            to_attr="responses",
        ),
    )
    return [DecisionMaker(t, t.sent_notifications, t.responses) for t in targets]
