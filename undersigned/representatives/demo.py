"""Demo data: two fictional councillors for each of the demo scheme's wards (up to six),
and, in the first two wards whose signers had reached the quorum more than a day ago,
one councillor's position, dated from the signatures themselves (asked an hour after
the quorum-th signer confirmed, answered a day later).

The other councillors of those wards are asked by the worker's clock within a minute of
`make run`; their e-mails, with the private links, are in the outbox at /outbox/.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from undersigned.lib import links
from undersigned.petitions.models import Petition
from undersigned.regions.lookups import quorum_for, regions_of
from undersigned.representatives.models import PositionRequest, Representative
from undersigned.signatures.models import Signature

NAMES = [
    ("Ada Brookfield", "Riverside First"), ("Tomás Ferreira", "Green"),
    ("Hannah Oduya", "Labour"), ("Pieter van Dam", "Independent"),
    ("Mariam Sarkissian", "Riverside First"), ("Owen Castell", "Green"),
    ("Lucía Moreno", "Labour"), ("Samir Haddad", "Independent"),
    ("Grace Achterberg", "Riverside First"), ("Ravi Menon", "Green"),
    ("Elin Lindqvist", "Labour"), ("Kofi Mensah", "Independent"),
]  # fmt: skip
POSITIONS = [
    (PositionRequest.Position.AGREE,
     "Sunday opening is the one change every family in my ward has asked me for. I will "
     "vote for it in the next budget."),
    (PositionRequest.Position.UNDECIDED,
     "I support the library, but I want to see the visitor figures before I commit to "
     "the cost."),
]  # fmt: skip


def populate(petition: Petition) -> None:
    """Idempotent: run it as often as you like."""
    wards = sorted(regions_of(petition.region_scheme))[: len(NAMES) // 2]
    if not wards:
        return
    for i, ward in enumerate(wards):
        for name, party in NAMES[2 * i : 2 * i + 2]:
            email = name.split()[0].lower() + "@council.example.org"
            Representative.objects.get_or_create(
                region_scheme=petition.region_scheme, email=email,
                defaults={"name": name, "role": "Councillor", "region_code": ward,
                          "party": party},
            )  # fmt: skip
    answered = 0
    for ward in wards:
        if answered < len(POSITIONS) and _answer(petition, ward, POSITIONS[answered]):
            answered += 1


def _answer(petition: Petition, ward: str, stated: tuple[str, str]) -> bool:
    """One councillor of `ward` asked and answering, if the ward's signers reached the
    quorum early enough for both to have happened by now."""
    quorum = quorum_for(
        petition.region_scheme, ward, petition.region_quorum, settings.REGION_QUORUM
    )
    confirmed = (
        Signature.objects.counted()
        .filter(petition=petition, region=ward)
        .order_by("confirmed_at")
        .values_list("confirmed_at", flat=True)
    )
    if not quorum or len(confirmed) < quorum:
        return False
    asked_at = confirmed[quorum - 1] + timedelta(hours=1)
    answered_at = asked_at + timedelta(days=1)
    if answered_at > timezone.now():
        return False
    representative = (
        Representative.objects.filter(region_scheme=petition.region_scheme, region_code=ward)
        .order_by("pk")
        .first()
    )
    position, reason = stated
    # A link that was e-mailed and spent: nobody holds its secret.
    spent = links.hash_secret(secrets.token_urlsafe(24))
    PositionRequest.objects.get_or_create(
        petition=petition, representative=representative,
        defaults={
            "region_code": ward, "created_at": asked_at,
            "signature_count": sum(1 for moment in confirmed if moment <= asked_at),
            "queued_at": asked_at, "asked_at": asked_at, "sent_at": asked_at,
            "token_hash": spent, "used_at": answered_at, "position": position,
            "reason": reason, "answered_at": answered_at, "told_progress_at": answered_at,
            "told_at": answered_at,
        },
    )  # fmt: skip
    return True
