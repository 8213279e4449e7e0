"""The links every e-mail to a signer carries (unsubscribe, withdraw), and its headers.

Signed like the withdrawal link (valid as long as the signature exists), with a salt of
its own so that one kind of link can never be turned into the other. The unsubscribe
page itself is privacy's (privacy/views.py), found here by its URL name.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from undersigned.lib.urls import reverse_with
from undersigned.signatures.models import Signature

# Named when this module lived in privacy/; links already e-mailed are signed with it.
SALT = "privacy.unsubscribe"


def unsubscribe_key(signature: Signature) -> str:
    return signing.dumps(signature.pk, salt=SALT, compress=True)


def pk_from_unsubscribe_key(key: str) -> int | None:
    if len(key) > 200:
        return None
    try:
        return int(signing.loads(key, salt=SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def unsubscribe_url(signature: Signature) -> str:
    return settings.SITE_URL + reverse_with("privacy:unsubscribe", unsubscribe_key(signature))


def signer_links(signature: Signature) -> dict[str, str]:
    """The two links in every e-mail to a signer: remove my signature, stop e-mails."""
    return {
        "withdraw_url": settings.SITE_URL
        + reverse_with("signatures:withdraw", signature.withdraw_key()),
        "unsubscribe_url": unsubscribe_url(signature),
    }


def signer_headers(links: dict[str, str]) -> dict[str, str]:
    """Headers for every e-mail to a signer, from its signer_links: mail programs show
    their own "Unsubscribe" button, and RFC 8058 lets them press it with one POST."""
    return {
        "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
