"""Signatures for the demo petition of `make run`, spread over the last days, so that the
page, the dashboard's charts and map, and the delivery pack have something to show."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from undersigned.petitions.models import Petition
from undersigned.regions import demo as demo_regions
from undersigned.signatures.actions import confirm_signature
from undersigned.signatures.models import Signature, normalize_email

FIRST = ["Anahit", "Lilit", "Aram", "Tigran", "Marie", "Lucas", "Emma", "Noah", "Olga",
         "Ivan", "Lucía", "Mateo", "Sophie", "Jonas", "Sara", "Karen", "Nare", "Davit"]  # fmt: skip
LAST = ["Karapetyan", "Sargsyan", "Martin", "Dubois", "Smith", "García", "Petrova",
        "Müller", "Hakobyan", "Ivanov", "López", "Brown", "Grigoryan", "Novak"]  # fmt: skip
COUNTRIES = ["AM"] * 6 + ["FR"] * 3 + ["US"] * 3 + ["RU"] * 2 + ["DE", "ES", "GB", "CA", "LB", "AR"]
SOURCES = ["newsletter"] * 3 + ["whatsapp"] * 3 + ["facebook", "poster", "email", "", "", ""]
REASONS = ["Libraries matter to my family.", "I study there every weekend.",
           "Sunday is the only day I can go.", "", "", ""]  # fmt: skip


def populate(petition: Petition, how_many: int = 140) -> None:
    if petition.signatures.exists() or petition.state != Petition.State.OPEN:
        return
    rng = random.Random(petition.pk)  # the same demo every time
    # Where the Armenian signers live in Riverside (its wards), drawn apart so the rest
    # of the demo stays as it was.
    places = random.Random(-petition.pk)
    wards = demo_regions.postcodes() if petition.region_scheme == demo_regions.SCHEME else []
    now = timezone.now()
    for n in range(how_many):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"demo-signer-{n}@example.org"
        # More signatures lately, as when a petition starts to travel.
        made = now - timedelta(hours=144 * rng.random() ** 1.6, minutes=rng.randrange(60))
        country = rng.choice(COUNTRIES)
        postcode, ward = places.choice(wards) if wards and country == "AM" else ("", "")
        signature = Signature.objects.create(
            petition=petition, name=name, email=email, email_normalized=normalize_email(email),
            email_domain="example.org", country=country, postcode=postcode, region=ward,
            comment=rng.choice(REASONS), public=rng.random() < 0.5,
            wants_updates=rng.random() < 0.4, source=rng.choice(SOURCES),
            created_at=made, token_hash=f"demo-{n}", token_created_at=made, mails_sent=1,
        )  # fmt: skip
        if rng.random() < 0.88:  # the others never clicked their link
            confirmed = min(now, made + timedelta(minutes=rng.randrange(2, 90)))
            confirm_signature(signature, "", now=confirmed)
