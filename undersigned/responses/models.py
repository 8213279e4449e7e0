from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from undersigned.lib import links
from undersigned.petitions.models import Petition, Target

OPENED = 0  # the "threshold" of the notification sent when a petition opens


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
    # Where the link went, recorded when it is sent and never changed after: what a
    # published response says about itself ("from an address at city.gov, checked by
    # our moderators"), whatever happens to the target's address later. Links sent
    # before addresses were checked have no domain and `address_checked` False.
    sent_to_domain = models.CharField(max_length=254, blank=True)
    address_checked = models.BooleanField(default=False)

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

    @property
    def expires_at(self) -> datetime | None:
        if self.sent_at is None:
            return None
        return self.sent_at + timedelta(days=settings.RESPONSE_LINK_DAYS)

    def expired(self, now: datetime) -> bool:
        return links.expired(self.sent_at, timedelta(days=settings.RESPONSE_LINK_DAYS), now)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


class AddressReviewQuerySet(models.QuerySet["AddressReview"]):
    def approved(self) -> AddressReviewQuerySet:
        return self.filter(decision=AddressReview.Decision.APPROVED)

    def of_current_address(self) -> AddressReviewQuerySet:
        """For use in a subquery over targets: the decision on the address now on file."""
        return self.filter(target=OuterRef("pk"), email=OuterRef("email"))


class AddressReview(models.Model):
    """A moderator's decision on one address of one decision maker.

    Without an approval for the address now on file, nothing is e-mailed to a decision
    maker: an organizer could otherwise type their own address, receive the private link
    and publish a "response from the Mayor" to every signer. The decision is about the
    address itself, so any change of `Target.email` (dashboard, petition form, admin)
    leaves the new address unchecked, with nothing to reset. One decision per address:
    the unique constraint makes a double click or two moderators decide once.
    """

    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="address_reviews")
    email = models.EmailField(max_length=254)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField()

    objects = AddressReviewQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "email"], name="one_decision_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.decision}"


class AddressState:
    """Where a decision maker's address on file stands, for the panels and lists."""

    NONE = "none"  # no address
    UNCHECKED = "unchecked"  # waiting for a moderator
    APPROVED = AddressReview.Decision.APPROVED.value
    REJECTED = AddressReview.Decision.REJECTED.value


def address_state(target: Target, reviews: list[AddressReview] | None = None) -> str:
    if not target.email:
        return AddressState.NONE
    if reviews is None:
        reviews = list(target.address_reviews.filter(email=target.email))
    decided = [r.decision for r in reviews if r.email == target.email]
    return decided[0] if decided else AddressState.UNCHECKED


def with_approved_address(targets: models.QuerySet[Target]) -> models.QuerySet[Target]:
    return targets.filter(Exists(AddressReview.objects.approved().of_current_address()))


def addresses_to_check() -> models.QuerySet[Target]:
    """Addresses of public decision makers that no moderator has decided on yet, oldest
    petitions first, with how many e-mails wait for them and the addresses approved
    before. Those of a petition awaiting moderation are checked on its review page
    instead, together with the petition."""
    before = AddressReview.objects.approved().order_by("-decided_at")
    return (
        Target.objects.filter(petition__state__in=[Petition.State.OPEN, Petition.State.CLOSED])
        .exclude(email="")
        .filter(~Exists(AddressReview.objects.of_current_address()))
        .annotate(waiting=models.Count("notifications", filter=Q(notifications__sent_at=None)))
        .select_related("petition")
        .prefetch_related(models.Prefetch("address_reviews", before, to_attr="approved_before"))
        .order_by("petition_id", "position", "pk")
    )


@dataclass
class DecisionMaker:
    """A target with what happened to it: the e-mails sent and its published responses."""

    target: Target
    notifications: list[Notification]  # sent, oldest first
    responses: list  # of updates.Update, newest first
    address_state: str = AddressState.NONE

    @property
    def latest_response(self):
        return self.responses[0] if self.responses else None


def decision_makers_of(petition: Petition, *, queued: bool = False) -> list[DecisionMaker]:
    """The petition's targets, in order, with their notifications (sent ones, and with
    `queued`, for the organizers' panel, those still waiting for the worker too and the
    state of each address) and responses: three queries (four with `queued`), whatever
    the number of targets."""
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
    if queued:
        targets = targets.prefetch_related(models.Prefetch("address_reviews", to_attr="reviews"))
    people = []
    for t in targets:
        state = address_state(t, t.reviews) if queued else AddressState.NONE
        people.append(DecisionMaker(t, t.sent_notifications, t.responses, state))
    return people


def _origin(link: Notification | None) -> dict:
    return {
        "answered_from": link.sent_to_domain if link else "",
        "address_checked": bool(link and link.address_checked),
    }


def answer_origin(update) -> dict:
    """What a published response says about where it came from: the domain of the
    address its link was e-mailed to, and whether a moderator had checked that address.
    Empty for news and victories. Kept on the update once looked up, since a mailing
    builds one message per signer from the same update."""
    from undersigned.updates.models import Update

    if update.kind != Update.Kind.RESPONSE:
        return {}
    if not hasattr(update, "_answer_origin"):
        link = Notification.objects.filter(response=update).order_by("pk").first()
        update._answer_origin = _origin(link)
    return update._answer_origin


def attach_answer_origins(updates) -> None:
    """answer_origin for many updates in one query (a page of the API, a timeline)."""
    from undersigned.updates.models import Update

    responses = [u for u in updates if u.kind == Update.Kind.RESPONSE]
    if not responses:
        return
    found: dict[int, Notification] = {}
    for link in Notification.objects.filter(response__in=responses).order_by("pk"):
        found.setdefault(link.response_id, link)
    for update in responses:
        update._answer_origin = _origin(found.get(update.pk))
