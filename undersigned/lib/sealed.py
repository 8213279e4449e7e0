"""Values handed to clients that only this site can read back.

`seal()` encrypts and authenticates (AES-SIV, RFC 5297) under a key derived from
SECRET_KEY, one key per purpose. It is deterministic: the same value sealed twice gives
the same token, so a sealed id is a stable identifier. Use it where a value must go out
and come back but must not be read on the way: a cursor holding a signer's name, a row
id whose order would tell when it was made.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.utils.crypto import salted_hmac


class Unsealable(ValueError):
    """Not a token this site sealed for this purpose (forged, altered, or foreign)."""


@lru_cache(maxsize=16)
def _cipher(purpose: str, secret: str) -> AESSIV:
    key = salted_hmac(f"undersigned.sealed.{purpose}", "key", secret, algorithm="sha512")
    return AESSIV(key.digest())  # 64 bytes: AES-256 in SIV mode


def seal(data: bytes, purpose: str) -> str:
    """`data`, encrypted and authenticated, as URL-safe base64 without padding."""
    token = _cipher(purpose, settings.SECRET_KEY).encrypt(data, [purpose.encode()])
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def unseal(token: str, purpose: str) -> bytes:
    """The data `seal(data, purpose)` made `token` from; Unsealable if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return _cipher(purpose, settings.SECRET_KEY).decrypt(raw, [purpose.encode()])
    except (InvalidTag, ValueError, binascii.Error, UnicodeEncodeError):
        raise Unsealable(purpose) from None
