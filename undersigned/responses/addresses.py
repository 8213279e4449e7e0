"""Moderators approve or reject decision makers' addresses before anything is sent there.

An organizer types the address; without this check an organizer could type their own,
receive the private link and publish a "response from the Mayor", e-mailed to every
signer. So an address is e-mailed only once a moderator has approved it
(`AddressReview`), and a published response says from which domain it came and that the
address was checked.

Two ways in: approving a petition approves the addresses its review page listed (the
moderator saw them there); an address added or changed after the petition opened waits
in the moderation list of addresses to check. Approving queues the e-mails that were
waiting for it; the clock sends the ones due for the petition's count on its next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from undersigned.petitions.models import Petition, Target
from undersigned.responses.models import AddressReview

logger = logging.getLogger(__name__)


def listed_addresses(petition: Petition) -> list[tuple[int, str]]:
    """(target id, address) of the petition's decision makers who have one, in order:
    what the review page shows and its approval approves."""
    return [(t.pk, t.email) for t in petition.targets.exclude(email="")]


def decide_address(
    target: Target, email: str, decision: str, moderator, now: datetime | None = None
) -> bool:
    """Record a moderator's decision on `email`, the address they were shown for
    `target`. Returns False, deciding nothing, when the address on file is no longer
    that one (changed meanwhile) or someone already decided on it.

    Approving queues again the target's e-mails that waited for it, in the same
    transaction; the worker checks the approval again before it sends each one.
    """
    from undersigned.responses.tasks import send_notification

    now = now or timezone.now()
    try:
        with transaction.atomic():
            # Lock the target: the address cannot change between the check and the row.
            on_file = Target.objects.select_for_update().filter(pk=target.pk)
            if not email or on_file.values_list("email", flat=True).first() != email:
                return False
            AddressReview.objects.create(
                target=target, email=email, decision=decision, decided_by=moderator,
                decided_at=now,
            )  # fmt: skip
            if decision == AddressReview.Decision.APPROVED:
                waiting = target.notifications.filter(sent_at__isnull=True)
                for pk in waiting.values_list("pk", flat=True):
                    send_notification.enqueue(pk)
    except IntegrityError:
        return False  # another moderator decided first
    # Never log the address itself.
    logger.info(
        "target %s address %s by moderator %s", target.pk, decision, getattr(moderator, "pk", None)
    )
    return True


def approve_listed_addresses(
    petition: Petition, listed: Iterable[tuple[int, str]], moderator, now: datetime | None = None
) -> int:
    """With the petition's approval: approve the addresses its review page listed, those
    of its targets still on file unchanged. One changed since the page was shown stays
    unchecked and waits in the list of addresses to check. Returns how many."""
    listed = set(listed)
    approved = 0
    for target in petition.targets.exclude(email=""):
        if (target.pk, target.email) in listed:
            approved += decide_address(
                target, target.email, AddressReview.Decision.APPROVED, moderator, now
            )
    return approved
