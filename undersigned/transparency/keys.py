"""The site's Ed25519 key, which signs every petition log's checkpoints.

TRANSPARENCY_KEY (base64 of the 32-byte private key) is the key in production; every
node and worker that publishes checkpoints or serves the verifier key must share it, so
it comes from the environment, never from one node's disk. Without it, a key is made
once under VAR_DIR, which suits one machine and `make run`, and is refused when several
nodes are declared (CLUSTER_NODES > 1): each would otherwise sign with a key of its own.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from undersigned.transparency import notes

KEY_FILE = "transparency-ed25519.key"
logger = logging.getLogger(__name__)


def key_name() -> str:
    """The site's host: it names the key in signatures and verifier keys."""
    return urlsplit(settings.SITE_URL).netloc


def origin(petition_id: int) -> str:
    """The checkpoint origin line: which log a checkpoint is about."""
    return f"{key_name()}/petitions/{petition_id}"


def private_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "TRANSPARENCY_KEY", "")
    if configured:
        return _decode(configured, "TRANSPARENCY_KEY")
    if getattr(settings, "CLUSTER_NODES", 1) > 1:
        raise ImproperlyConfigured(
            "TRANSPARENCY_KEY is unset on a site of several nodes: set the same key (base64 "
            "of 32 random bytes) on every node and worker."
        )
    path = Path(settings.VAR_DIR) / KEY_FILE
    if not path.exists():
        _create(path)
    return _decode(path.read_text(), str(path))


def current_verifier_key() -> notes.VerifierKey:
    return notes.verifier_key(key_name(), private_key())


def _decode(text: str, where: str) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{where}: expected base64 of a 32-byte Ed25519 private key.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _create(path: Path) -> None:
    """Write a new key readable by its owner only. Two processes may race to it: each
    writes a private temporary file, and the first hard link to the real name wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    try:
        os.link(temporary, path)
        logger.warning("made a new checkpoint signing key in %s: back it up", path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
