"""The "signed_as" cookie: the address a signer typed, echoed on the next page only.

The page after signing says where the confirmation went, so a typo shows at once. The
address must not travel in a URL, and the cookie must not give it away either (to
whoever reads the browser's cookies, a proxy's logs, a shared computer's next user
looking at the cookie jar), so it is encrypted and authenticated (AES-GCM, a key derived
from SECRET_KEY, a random nonce each time), with the time it was made. A signed cookie
would keep the address readable; a row or a cache entry would add a write to the
busiest path. This costs less CPU than signing did.
"""

from __future__ import annotations

import base64
import os
import time
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest, HttpResponse

NAME = "signed_as"
SECONDS = 3600
PURPOSE = b"undersigned signed_as cookie"
NONCE_BYTES = 12


def remember_address(response: HttpResponse, email: str) -> None:
    # Like Django's own messages cookie, it follows the session cookie: Secure on an
    # https site. Not a private cookie for the page cache (web/pagecache.py): it changes
    # one page, which is never cached.
    response.set_cookie(
        NAME, seal(email), max_age=SECONDS, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip


def remembered_address(request: HttpRequest) -> str:
    """The address this browser signed with in the last hour, or ""."""
    return unseal(request.COOKIES.get(NAME, ""))


@lru_cache(maxsize=2)
def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(hashes.SHA256(), 32, salt=None, info=PURPOSE).derive(secret_key.encode())
    return AESGCM(key)


def seal(email: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    plain = f"{int(time.time())}:{email}".encode()
    sealed = nonce + _cipher(settings.SECRET_KEY).encrypt(nonce, plain, PURPOSE)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(value: str) -> str:
    """What seal() sealed less than SECONDS ago, or ""."""
    try:
        sealed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        nonce, box = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        made, _sep, email = (
            _cipher(settings.SECRET_KEY).decrypt(nonce, box, PURPOSE).decode().partition(":")
        )
        fresh = 0 <= time.time() - int(made) < SECONDS
    except (ValueError, InvalidTag):  # not ours, tampered with, cut short
        return ""
    return email if fresh else ""
