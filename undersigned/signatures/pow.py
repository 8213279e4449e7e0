"""Proof of work on the sign form: the ALTCHA scheme, served and checked here.

A browser fetches a fresh challenge from `challenge_view` (public pages are cached and
shared, so the page itself cannot carry one), solves it in a Web Worker
(static/js/pow-worker.js) and posts the answer in the hidden field `altcha`. A missing or
bad proof never refuses a signature: `verify()` answers False and the signature carries
the "no-pow" risk signal (docs/security.md, "Proof of work").

The challenge is ALTCHA v2 with iterated SHA-256 (cost 1) in deterministic mode: the
server picks a counter below POW_MAX_NUMBER and publishes only the first 16 bytes of
SHA-256(salt ‖ nonce ‖ counter), so a solver tries about POW_MAX_NUMBER / 2 counters and
we check one hash. The parameters, expiry included, are signed with a key derived from
SECRET_KEY.

Replay: a verified challenge's signature is added to the cache until the challenge
expires, and `cache.add` refuses it the second time. That is atomic on Redis, for every
process of every node sharing it (SET NX), and within one process on the local-memory
cache; with several web processes and no Redis, the same proof can be used once per
process until it expires (at most TTL seconds). A database table would close that gap at
the price of a second INSERT on the signing path, a cost every signer pays: too dear for
a risk signal (figures: docs/security.md). So a site of several nodes needs REDIS_URL,
and `manage.py check` says so (lib/checks.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time

import altcha
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse

from undersigned.lib.methods import require_safe

logger = logging.getLogger(__name__)

TTL = 600  # seconds a challenge stays valid; static/js/pow.js refreshes it before that
MAX_PAYLOAD_CHARS = 2000  # a real payload is about 700 characters
PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError)


def _hmac_secret() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"altcha", hashlib.sha256).digest()


def challenge() -> dict:
    """A fresh signed challenge, as the ALTCHA scheme's JSON: {parameters, signature}."""
    max_number = getattr(settings, "POW_MAX_NUMBER", 20_000)
    made = altcha.create_challenge(
        "SHA-256",
        1,
        counter=secrets.randbelow(max_number + 1),
        expires_at=int(time.time()) + TTL,
        hmac_secret=_hmac_secret(),
    )
    return made.to_dict()


@require_safe
def challenge_view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(challenge())
    response["Cache-Control"] = "no-store"  # one challenge per visitor, never shared
    return response


def _parse(value: str) -> altcha.Payload | None:
    if not value or len(value) > MAX_PAYLOAD_CHARS:
        return None
    try:
        return altcha.Payload.from_dict(json.loads(base64.b64decode(value, validate=True)))
    except PARSE_ERRORS:
        return None


def verify(request: HttpRequest) -> bool:
    """True if the POST field `altcha` solves a challenge of ours, unexpired and unused.

    1. Parse the base64 JSON payload (anything malformed or oversized: False).
    2. Check the signature, the expiry and the solution (one SHA-256, one HMAC).
    3. Claim the challenge in the cache until it expires: a second use is False.
    """
    payload = _parse(request.POST.get("altcha", ""))
    if payload is None:
        return False
    expires_at = payload.challenge.parameters.expires_at
    if type(expires_at) is not int:
        return False  # we always set one; without it a proof could be replayed forever
    try:
        if not altcha.verify_solution(payload, _hmac_secret()).verified:
            return False
    except PARSE_ERRORS:
        return False
    return _first_use(payload.challenge.signature, expires_at)


def _first_use(signature: str, expires_at: int) -> bool:
    seconds = max(1, expires_at - int(time.time()) + 1)
    try:
        return cache.add(f"pow-used:{signature}", 1, timeout=seconds)
    except Exception:  # the cache is down: accept the valid proof rather than flag everyone
        logger.warning("proof-of-work replay cache unavailable; accepting a valid proof")
        return True
