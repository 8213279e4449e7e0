"""Helpers for the delivery tests: confirmed signers in bulk, co-organizers, clients."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from undersigned.accounts.models import User
from undersigned.petitions.models import Organizer, Petition
from undersigned.signatures.actions import recount
from undersigned.signatures.models import Signature, normalize_email

ARMENIAN = "Անահիտ Կարապետյան"
CYRILLIC = "Наталья Иванова"


def add_signers(petition: Petition, people: list[dict]) -> list[Signature]:
    """Confirmed signatures written directly (the e-mail round trip is tested elsewhere),
    then the count rebuilt from them. Each dict: name, email, and optionally country,
    comment, postcode, contact (contact_by_organizer) and any Signature field."""
    start = timezone.now() - timedelta(hours=1)
    rows = []
    for i, person in enumerate(people):
        person = dict(person)
        email = person.pop("email")
        rows.append(
            Signature(
                petition=petition, email=email, email_normalized=normalize_email(email),
                country=person.pop("country", "AM"),
                contact_by_organizer=person.pop("contact", False),
                confirmed_at=person.pop("confirmed_at", start + timedelta(seconds=i)),
                **person,
            )
        )  # fmt: skip
    created = Signature.objects.bulk_create(rows)
    recount(petition)
    return created


def many_signers(petition: Petition, how_many: int, **fields) -> list[Signature]:
    return add_signers(
        petition,
        [{"name": f"Signer {i}", "email": f"s{i}@example.org", **fields} for i in range(how_many)],
    )


def co_organizer(petition: Petition, email: str, role: str = Organizer.Role.EDITOR) -> User:
    user = User.objects.create_user(email, name=email.split("@")[0].title())
    Organizer.objects.create(
        petition=petition, email=email, role=role, user=user, accepted_at=timezone.now()
    )
    return user


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
