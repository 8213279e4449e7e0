"""Demo data: one update from the organizers, shown on the demo petition's page.

It is written from the demo's own signatures: posted a few hours after the count passed
the organizers' goal, and the number it gives is the count at that moment, so the update
never claims more than the page can show. It is not e-mailed: the demo's signers never
asked for updates by e-mail from `make run`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature
from undersigned.updates.actions import POSTABLE_STATES, post_update
from undersigned.updates.models import Update

AFTER_THE_GOAL = timedelta(hours=3)  # how long after passing the goal the organizers wrote


def populate(petition: Petition) -> None:
    """Idempotent: one news update per demo petition, however often it runs."""
    if (
        petition.state not in POSTABLE_STATES
        or petition.updates.filter(kind=Update.Kind.NEWS).exists()
    ):
        return
    goal, now = petition.goal, timezone.now()
    times = list(
        Signature.objects.filter(petition=petition)
        .counted()
        .order_by("confirmed_at", "pk")
        .values_list("confirmed_at", flat=True)
    )
    reached = len(times) >= goal
    posted = min(times[goal - 1] + AFTER_THE_GOAL, now) if reached else now
    signed = sum(1 for at in times if at <= posted)
    if reached:
        title = f"We passed our goal of {goal} signatures"
        news = f"Thank you! When we wrote this, {signed} people had signed: our first goal is met."
    else:
        title = "Thank you to our first signers"
        news = f"Thank you! When we wrote this, {_signed(signed)}. Our goal is {goal} signatures."
    update = post_update(
        petition,
        title=title,
        text=(
            f"{news}\n\nNext we will ask the council's culture committee to **discuss Sunday "
            "hours** at its next meeting. Keep sharing the petition: every signature counts."
        ),
        author=petition.creator,
        now=posted,
    )
    Update.objects.filter(pk=update.pk).update(created_at=posted)  # its date is the story's


def _signed(n: int) -> str:
    return {0: "nobody had signed yet", 1: "1 person had signed"}.get(n, f"{n} people had signed")
