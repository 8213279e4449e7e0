"""The public "Waiting for an answer" list: petitions that passed a response threshold
and whose decision makers or representatives have not answered.

- A decision maker waits from the first e-mail that asked for their response (a
  notification at a response or escalation threshold, responses app) until they publish
  a response on that petition.
- A representative waits from the first e-mail asking for their position until they
  state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, Min, OuterRef

from undersigned.petitions.models import Petition, Target
from undersigned.representatives.models import PUBLIC_STATES, PositionRequest
from undersigned.responses.models import OPENED, Notification
from undersigned.updates.models import Update

LIMIT = 200  # petitions listed, longest waiting first


@dataclass
class Waiter:
    name: str
    role: str
    since: datetime
    days: int
    url: str = ""  # a representative's public page


@dataclass
class WaitingPetition:
    petition: Petition
    waiters: list[Waiter] = field(default_factory=list)

    @property
    def since(self) -> datetime:
        return min(w.since for w in self.waiters)

    @property
    def days(self) -> int:
        return max(w.days for w in self.waiters)


def waiting_petitions(now: datetime) -> list[WaitingPetition]:
    """Public petitions with someone asked to answer who has not, longest wait first;
    each with who waits and for how many days. Three queries."""
    found: dict[int, WaitingPetition] = {}

    def entry(petition: Petition) -> WaitingPetition:
        return found.setdefault(petition.pk, WaitingPetition(petition))

    responded = Update.objects.filter(kind=Update.Kind.RESPONSE, target_id=OuterRef("target_id"))
    asked = (
        Notification.objects.filter(
            threshold__gt=OPENED, sent_at__isnull=False, petition__state__in=PUBLIC_STATES
        )
        .filter(~Exists(responded))
        .values("petition_id", "target_id")
        .annotate(since=Min("sent_at"))
        .order_by()
    )
    first_asked = {row["target_id"]: row for row in asked}
    petitions = Petition.objects.in_bulk({row["petition_id"] for row in first_asked.values()})
    for target in Target.objects.filter(pk__in=first_asked).order_by("position", "pk"):
        since = first_asked[target.pk]["since"]
        entry(petitions[target.petition_id]).waiters.append(
            Waiter(target.name, target.role, since, _days(since, now))
        )
    requests = (
        PositionRequest.objects.public().waiting().select_related("petition", "representative")
    )
    for request in requests.order_by("asked_at", "pk"):
        representative = request.representative
        entry(request.petition).waiters.append(
            Waiter(
                representative.name,
                representative.role,
                request.asked_at,
                request.days_waiting(now),
                representative.get_absolute_url(),
            )
        )
    return sorted(found.values(), key=lambda w: (w.since, w.petition.pk))[:LIMIT]


def _days(since: datetime, now: datetime) -> int:
    return max((now - since).days, 0)
