"""Decision makers: e-mailed when a petition opens and at the site's thresholds, and
answering through a private link.

Notifications are driven by row state, not by hooks in other apps: the clock runs
`notify_targets()` every minute; it finds targets that lack the notification their
petition's count calls for and claims each (target, threshold) by inserting its row,
which a unique constraint allows once. The e-mail is a task queued in the same
transaction; the worker makes the answer link when it sends it (`send_notification`).

Nothing is sent to an address no moderator has approved (responses/addresses.py): the
clock skips such targets, and a notification already queued for one (a resend, or an
address changed meanwhile) waits, unsent, until a moderator approves the address.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from undersigned.lib import links
from undersigned.lib.emails import build_message
from undersigned.petitions.models import Petition, Target
from undersigned.responses.models import (
    OPENED,
    AddressReview,
    Notification,
    domain_of,
    with_approved_address,
)
from undersigned.signatures.actions import count_for

logger = logging.getLogger(__name__)

# An organizer (or a decision maker with an expired link) may send a target a new
# e-mail at most this often: a platform must not become a way to flood someone's inbox.
RESEND_EVERY = timedelta(hours=24)
ANSWERABLE = {Petition.State.OPEN, Petition.State.CLOSED}


class NotificationRefused(ValidationError):
    """A resend that is not allowed now; its message says why, in the organizer's words."""


def rung_for(count: int) -> tuple[int, str]:
    """(threshold, event) of the highest rung `count` has reached: the highest passed
    threshold, else the opening."""
    passed = [(n, kind) for n, kind in settings.TARGET_THRESHOLDS if count >= n]
    return passed[-1] if passed else (OPENED, Notification.Event.OPENED)


def _rung_expression() -> Case:
    """rung_for's threshold, in SQL, from the stored count (refreshed every few seconds)."""
    whens = [
        When(petition__signature_count__gte=n, then=Value(n))
        for n, _kind in reversed(settings.TARGET_THRESHOLDS)
    ]
    return Case(*whens, default=Value(OPENED), output_field=IntegerField())


def targets_due(now: datetime | None = None):
    """Targets with an address a moderator approved, on open petitions whose organizers
    chose to notify them, that have had no notification at (or above) the rung their
    count reached. An unchecked address is due once approved, on the next run."""
    # Any e-mail at this rung will do, an organizer's resend included.
    notified = Notification.objects.filter(target=OuterRef("pk"), threshold__gte=OuterRef("rung"))
    targets = Target.objects.filter(
        petition__state=Petition.State.OPEN, petition__notify_targets=True
    ).exclude(email="")
    return (
        with_approved_address(targets)
        .annotate(rung=_rung_expression())
        .filter(~Exists(notified))
        .select_related("petition")
        .order_by("petition_id", "position", "pk")
    )


def notify_targets(now: datetime | None = None) -> int:
    """The clock's job: claim and queue every notification due; return how many.

    1. Find the targets due (one query, over the stored counts).
    2. Take the live count: when several thresholds were passed since the last run, only
       the highest is sent (a lower one is never sent after a higher one).
    3. Insert the (target, threshold) row and queue its e-mail in one transaction; a
       second worker, or a rerun, hits the unique constraint and sends nothing.
    """
    queued = 0
    counts: dict[int, int] = {}
    for target in targets_due(now)[:500]:
        petition = target.petition
        if petition.pk not in counts:
            counts[petition.pk] = max(count_for(petition), petition.signature_count)
        count = counts[petition.pk]
        threshold, event = rung_for(count)
        if threshold < target.rung:  # the live count fell back meanwhile
            threshold, event = target.rung, dict(settings.TARGET_THRESHOLDS)[target.rung]
        queued += _claim(target, event, threshold, count) is not None
    return queued


def _claim(target: Target, event: str, threshold: int, count: int) -> Notification | None:
    from undersigned.responses.tasks import send_notification

    notification = Notification(
        target=target, petition_id=target.petition_id, event=event, threshold=threshold,
        signature_count=count,
    )  # fmt: skip
    try:
        with transaction.atomic():
            notification.save()
            send_notification.enqueue(notification.pk)
    except IntegrityError:
        return None  # another worker claimed it first
    return notification


def resend_notification(target: Target, user=None, now: datetime | None = None) -> Notification:
    """Send the target a new e-mail, with a new link, about the petition's current rung.

    `user` is the organizer who asked (None: the decision maker, from an expired link).
    Raises NotificationRefused when the target has no address, a moderator rejected it,
    the petition is not public, or the last e-mail was sent less than RESEND_EVERY ago.
    To an address no moderator has checked yet, the e-mail waits for the approval.
    """
    from undersigned.responses.tasks import send_notification

    now = now or timezone.now()
    petition = target.petition
    if not target.email:
        raise NotificationRefused(_("There is no e-mail address for this decision maker."))
    rejected = AddressReview.Decision.REJECTED
    if target.address_reviews.filter(email=target.email, decision=rejected).exists():
        raise NotificationRefused(
            _("Our moderators did not accept the address on file for this decision maker: "
              "change it to their official address.")
        )  # fmt: skip
    if petition.state not in ANSWERABLE:
        raise NotificationRefused(_("Decision makers are e-mailed once the petition is open."))
    count = count_for(petition)
    threshold, event = rung_for(count)
    with transaction.atomic():
        # Lock the target so two clicks cannot both pass the check below.
        Target.objects.select_for_update().filter(pk=target.pk).first()
        recent = target.notifications.filter(created_at__gt=now - RESEND_EVERY)
        if recent.exists():
            raise NotificationRefused(
                _("An e-mail was sent to this decision maker less than a day ago. You can "
                  "send another one tomorrow.")
            )  # fmt: skip
        notification = Notification.objects.create(
            target=target, petition=petition, event=event, threshold=threshold,
            signature_count=count, resent=True, sent_by=user,
        )  # fmt: skip
        send_notification.enqueue(notification.pk)
    return notification


def send_notification(notification_id: int, now: datetime | None = None) -> bool:
    """The worker sends one notification: it makes the answer link, stores its hash, the
    time and where it goes, then sends. Safe to run twice: a sent notification is not
    sent again. One for an address no moderator approved stays unsent: approving the
    address queues it again (addresses.decide_address)."""
    now = now or timezone.now()
    notification = (
        Notification.objects.select_related("target", "petition", "sent_by")
        .filter(pk=notification_id, sent_at__isnull=True)
        .first()
    )
    if notification is None or not notification.target.email:
        return False
    email = notification.target.email
    secret, token_hash = links.new_secret()
    # The claim checks, in the same statement, that this address is still the one on
    # file and approved: a change or approval made meanwhile cannot slip between them.
    approved = AddressReview.objects.approved().filter(
        target_id=notification.target_id, email=email
    )
    claimed = (
        Notification.objects.filter(pk=notification.pk, sent_at__isnull=True)
        .filter(target__email=email)
        .filter(Exists(approved))
        .update(
            sent_at=now, token_hash=token_hash, sent_to_domain=domain_of(email),
            address_checked=True,
        )
    )  # fmt: skip
    if not claimed:  # sent by another worker, or its address waits for a moderator
        return False
    notification.sent_at = now
    try:
        _message(notification, links.make_token(notification.pk, secret)).send()
    except Exception:
        # Not sent after all: let the retry make a new link and send it.
        Notification.objects.filter(pk=notification.pk).update(
            sent_at=None, token_hash="", sent_to_domain="", address_checked=False
        )
        raise
    return True


def _message(notification: Notification, token: str):
    from django.urls import reverse

    petition, target = notification.petition, notification.target
    language = petition.language
    with translation.override(language):
        expires = formats.date_format(timezone.localtime(notification.expires_at), "DATE_FORMAT")
    context = {
        "name": target.name,
        "title": petition.title,
        "url": petition.absolute_url(),
        "event": notification.event,
        "threshold": notification.threshold,
        "count": notification.signature_count,
        "link": settings.SITE_URL + reverse("responses:respond", args=[token]),
        "expires": expires,
        "resent": notification.resent,
        "organizer": notification.sent_by.name if notification.sent_by else "",
        "closed": petition.state == Petition.State.CLOSED,
    }
    return build_message("target_notification", target.email, context, language)


class LinkState:
    MALFORMED = links.MALFORMED
    EXPIRED = links.EXPIRED
    USED = links.USED
    UNAVAILABLE = "unavailable"  # the petition is no longer public
    UNCHECKED = "unchecked"  # sent before addresses were checked: ask for a new one
    VALID = "valid"


def notification_from_token(token: str) -> tuple[Notification | None, str]:
    """The notification an answer link is for, and the link's state."""
    found = links.find(Notification.objects.select_related("target", "petition"), token)
    notification = found.row
    if notification is None:
        return None, LinkState.MALFORMED
    if notification.used_at is not None:
        return notification, LinkState.USED
    if notification.petition.state not in ANSWERABLE:
        return notification, LinkState.UNAVAILABLE
    if not notification.address_checked:
        return notification, LinkState.UNCHECKED
    if notification.expired(timezone.now()):
        return notification, LinkState.EXPIRED
    return notification, LinkState.VALID


def publish_response(
    notification: Notification, responder: str, text: str, now: datetime | None = None
):
    """Publish the decision maker's answer as a RESPONSE update, e-mailed to the signers
    who asked for updates. One link publishes once: the link is marked used by a
    conditional UPDATE in the same transaction, so a double click or a second tab gets
    None."""
    from undersigned.updates.actions import post_update
    from undersigned.updates.models import Update

    now = now or timezone.now()
    petition = notification.petition
    with transaction.atomic():
        # Only a link sent to an address a moderator had approved may publish.
        unused = Notification.objects.filter(
            pk=notification.pk, used_at__isnull=True, token_hash=notification.token_hash,
            address_checked=True,
        )  # fmt: skip
        if not links.use_once(unused, used_at=now):
            return None
        update = post_update(
            # No stored title: "Response from <responder>" is put together in each
            # reader's language (Update.display_title).
            petition, kind=Update.Kind.RESPONSE, title="", responder=responder[:120],
            text=text, target=notification.target, email=True,
        )  # fmt: skip
        Notification.objects.filter(pk=notification.pk).update(response=update)
    return update


def set_notify_targets(petition: Petition, on: bool) -> None:
    """The organizers' choice; the clock acts on it within a minute."""
    Petition.objects.filter(pk=petition.pk).update(notify_targets=on)
    petition.notify_targets = on


class AddressChange:
    UNCHANGED = "unchanged"
    ADDED = "added"  # there was none
    CHANGED = "changed"
    REMOVED = "removed"


def set_target_email(target: Target, email: str, user=None) -> str:
    """Add, change or remove a decision maker's address (an organizer, on the dashboard,
    also after the petition opened); return an AddressChange. A new address is e-mailed
    only once a moderator approves it (responses/addresses.py).

    Notifications are keyed on the target, not on the address, so the clock's rule
    (`targets_due`) gives the behaviour organizers expect:
    - a changed address does not bring back the e-mails already sent for the rungs
      passed: the organizer sends one to the new address with "E-mail again";
    - a target that had no address and gets one has had no e-mail, so the clock sends
      the current rung's (the opening or the highest threshold reached) on its first run
      after a moderator approves the address, if the petition is open and notifies its
      decision makers.
    E-mails still waiting for the worker go to the address on file once it is approved;
    those of a target left without an address can never be sent, so they are dropped
    (else the panel would show them "queued" forever, and a later address would not be
    e-mailed).
    """
    email = BaseUserManager.normalize_email((email or "").strip())
    with transaction.atomic():
        before = Target.objects.select_for_update().filter(pk=target.pk).values_list(
            "email", flat=True
        ).get()  # fmt: skip
        if before == email:
            target.email = email
            return AddressChange.UNCHANGED
        Target.objects.filter(pk=target.pk).update(email=email)
        if not email or not before:
            # The worker claims by a conditional UPDATE on sent_at, so one it is sending
            # right now either was claimed before (and is kept) or finds no row.
            target.notifications.filter(sent_at__isnull=True).delete()
    target.email = email
    # Never log the address itself.
    logger.info(
        "target %s address %s by user %s", target.pk,
        "removed" if not email else ("added" if not before else "changed"),
        getattr(user, "pk", None),
    )  # fmt: skip
    if not email:
        return AddressChange.REMOVED
    return AddressChange.CHANGED if before else AddressChange.ADDED


def is_due(target: Target) -> bool:
    """Whether the clock will e-mail this target on its next run."""
    return targets_due().filter(pk=target.pk).exists()
