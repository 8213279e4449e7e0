"""Helpers for the updates tests: signers made directly in the database."""

from __future__ import annotations

from django.utils import timezone

from undersigned.signatures.models import Signature, normalize_email


def add_signer(petition, n: int, *, wants_updates: bool = True, language: str = "en", **fields):
    email = fields.pop("email", f"signer{n}@example.org")
    return Signature.objects.create(
        petition=petition, name=fields.pop("name", f"Signer Number{n}"), email=email,
        email_normalized=normalize_email(email), country="AM", wants_updates=wants_updates,
        language=language, confirmed_at=fields.pop("confirmed_at", timezone.now()), **fields,
    )  # fmt: skip


def add_signers(petition, count: int, start: int = 0, **fields) -> list[Signature]:
    return [add_signer(petition, start + i, **fields) for i in range(count)]
