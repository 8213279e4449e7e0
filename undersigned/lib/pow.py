"""Proof of work (interim): no challenge yet, so every signature carries "no-pow"."""

from django.http import HttpRequest


def verify(request: HttpRequest) -> bool:
    return False
