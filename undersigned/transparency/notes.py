"""Signed checkpoints in the C2SP formats (signed-note, tlog-checkpoint), Ed25519 only.

A checkpoint note, as served and as signed (every line ends with a newline):

    petitions.example.org/petitions/42      origin: which log this is
    1234                                    tree size
    3q2+7w...=                              root hash, base64
    count=1200 time=2025-06-01T12:00:00Z    extension line: implied count, signing time
                                            blank line: the signatures follow
    — petitions.example.org Ab3x...==       key name, base64(key hash[4] || signature[64])

The signature covers the text above the blank line. The key hash is the first four
bytes of SHA-256(key name || "\n" || 0x01 || public key), 0x01 meaning Ed25519. A
verifier key is written `<name>+<key hash hex>+<base64(0x01 || public key)>`.
No Django here: the offline verifier imports this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "— "
_KEY_NAME = re.compile(r"^[^\s+]+$")
_SIZE = re.compile(r"[0-9]{1,18}")
_EXTENSION = re.compile(r"count=([0-9]{1,18}) time=([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z)")


class NoteError(ValueError):
    """A note that is malformed, or not signed by any key we trust."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    count: int
    time: datetime

    def body(self) -> str:
        """The signed text of this checkpoint."""
        return (
            f"{self.origin}\n{self.tree_size}\n{base64.b64encode(self.root_hash).decode()}\n"
            f"count={self.count} time={self.time.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}\n"
        )


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_hash: bytes
    public_key: bytes  # 32 raw bytes

    def __str__(self) -> str:
        encoded = base64.b64encode(ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_hash.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name: str, private_key: Ed25519PrivateKey) -> VerifierKey:
    if not _KEY_NAME.match(name):
        raise NoteError(f"a key name has no spaces or '+': {name!r}")
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return VerifierKey(name, key_hash(name, public), public)


def parse_verifier_key(text: str) -> VerifierKey:
    name, _plus, rest = text.strip().partition("+")
    hash_hex, _plus, encoded = rest.partition("+")
    try:
        raw = base64.b64decode(encoded, validate=True)
        expected = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError):
        raise NoteError(f"not a verifier key: {text!r}") from None
    if not _KEY_NAME.match(name) or len(raw) != 33 or raw[:1] != ED25519:
        raise NoteError(f"not an Ed25519 verifier key: {text!r}")
    key = VerifierKey(name, key_hash(name, raw[1:]), raw[1:])
    if key.key_hash != expected:
        raise NoteError(f"the key hash does not match the key: {text!r}")
    return key


def sign(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note: body, a blank line, one signature line."""
    if not body.endswith("\n") or "\n\n" in body:
        raise NoteError("a note body is non-empty lines, each ending in a newline")
    key = verifier_key(name, private_key)
    signature = private_key.sign(body.encode())
    encoded = base64.b64encode(key.key_hash + signature).decode()
    return f"{body}\n{SIGNATURE_PREFIX}{name} {encoded}\n"


def open_note(note: str, keys: list[VerifierKey]) -> tuple[str, VerifierKey]:
    """The body of a note and the trusted key that signed it; NoteError otherwise."""
    body, blank, signatures = note.rpartition("\n\n")
    if not blank or not signatures.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    body += "\n"
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"a malformed signature line: {line!r}")
        name, _space, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError(f"a malformed signature line: {line!r}") from None
        for key in keys:
            if key.name == name and raw[:4] == key.key_hash and len(raw) == 68:
                if key.verify(body.encode(), raw[4:]):
                    return body, key
                raise NoteError(f"the signature by {name} does not verify")
    raise NoteError("not signed by a known key")


def parse_checkpoint(body: str) -> Checkpoint:
    lines = body.splitlines()
    if len(lines) != 4:
        raise NoteError("a checkpoint has four lines: origin, size, root, count and time")
    origin, size, encoded_root, extension = lines
    match = _EXTENSION.fullmatch(extension)
    try:
        root = base64.b64decode(encoded_root, validate=True)
    except binascii.Error:
        root = b""
    if not origin or not _SIZE.fullmatch(size) or len(root) != 32 or not match:
        raise NoteError("a malformed checkpoint")
    try:
        time = datetime.strptime(match[2], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise NoteError("a malformed checkpoint time") from None
    return Checkpoint(origin, int(size), root, int(match[1]), time)
