"""Helpers for the organizer and moderator tests: sign in by e-mail, fill in a petition."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import link_in_last_mail, run_queued_tasks

SIGN_IN_LINK = "accounts/sign-in"


def ask_for_link(client: Client, email: str, name: str = "", next_url: str = ""):
    return client.post(
        reverse("accounts:sign_in"), {"email": email, "name": name, "next": next_url}
    )


def mailed_link(client: Client, email: str, name: str = "", next_url: str = "") -> str:
    """Ask for a sign-in link, let the worker send it, and return its path."""
    ask_for_link(client, email, name, next_url)
    run_queued_tasks()
    return link_in_last_mail(SIGN_IN_LINK)


def sign_in_by_mail(client: Client, email: str, name: str = "", next_url: str = ""):
    """The whole e-mail sign-in, as a person does it; returns the final POST's response."""
    return client.post(mailed_link(client, email, name, next_url))


def petition_data(targets: list[tuple[str, str]] | None = None, **fields) -> dict[str, str]:
    """A complete POST for the petition form (with its targets formset), changed by **fields."""
    targets = [("City Council", "Riverside")] if targets is None else targets
    closes = timezone.localdate() + timedelta(days=60)
    data = {
        "title": "Keep the library open on Sundays",
        "text": "We urge the council to **restore** Sunday hours.",
        "goal": "500",
        "closes_at": closes.isoformat(),
        "language": "en",
        "action": "save",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "5",
    }
    for i in range(3):
        name, role = targets[i] if i < len(targets) else ("", "")
        data[f"targets-{i}-name"], data[f"targets-{i}-role"] = name, role
    data.update({key: str(value) for key, value in fields.items()})
    return data
