"""E-mails to a signer about their own signature, beyond the confirmation link: the
transparency-log receipt they ask for, and "you have already signed"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from undersigned.lib.emails import queue_email
from undersigned.signatures.links import signer_headers, signer_links
from undersigned.signatures.models import Signature
from undersigned.transparency.receipts import receipt_for


def email_receipt(signature: Signature) -> bool:
    """Queue the signer's transparency-log receipt to their address (once an hour at most),
    so they keep it beyond this browser. False if there is none or one was just sent."""
    found = receipt_for(signature)
    if found is None or not signature.email:
        return False
    if not cache.add(f"receipt-mail:{signature.pk}", 1, 3600):
        return False
    log_url = settings.SITE_URL + reverse("transparency:log", args=[found.petition_id])
    query = urlencode({"entry": found.entry_id, "salt": found.secret})
    links = signer_links(signature)
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "entry_id": found.entry_id,
        "code": found.secret,
        "check_url": settings.SITE_URL
        + reverse("transparency:receipt", args=[found.petition_id])
        + "?"
        + query,
        "command": f"undersigned verify {log_url} --receipt {found}",
        **links,
    }
    queue_email(
        "signature_receipt", signature.email, context, signature.language,
        headers=signer_headers(links),
    )  # fmt: skip
    return True


def tell_already_signed(signature: Signature) -> bool:
    """Someone signed again with an address whose signature is already confirmed. The
    page they see is the same as for a first signature (it must not tell a stranger who
    has signed), so the e-mail says it: nothing more to do. Once a day at most."""
    if not signature.email or not cache.add(f"already-signed:{signature.pk}", 1, 86400):
        return False
    links = signer_links(signature)
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "petition_url": signature.petition.absolute_url(),
        **links,
    }
    queue_email(
        "already_signed", signature.email, context, signature.language,
        headers=signer_headers(links),
    )  # fmt: skip
    return True
