"""E-mails to a signer about their own signature, beyond the confirmation link: the
transparency-log receipt they ask for, and "you have already signed"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from undersigned.lib.emails import build_message, queue_email
from undersigned.signatures.links import signer_headers, signer_links
from undersigned.signatures.models import Signature
from undersigned.transparency.receipts import has_receipt, receipt_for


def email_receipt(signature: Signature) -> bool:
    """Have the worker e-mail the signer their transparency-log receipt (once an hour at
    most), so they keep it beyond this browser. False if there is none (the signature
    never counted) or one was just asked for.

    The worker writes it (send_receipt): the receipt names the entry by its number in
    the petition's log, which the sequencer gives a few seconds after the confirmation,
    and numbering entries is no work for a request."""
    if not signature.email or not has_receipt(signature):
        return False
    if not cache.add(f"receipt-mail:{signature.pk}", 1, 3600):
        return False
    from undersigned.signatures.tasks import email_receipt as task  # tasks import this module

    task.enqueue(signature.pk)
    return True


def send_receipt(signature_id: int) -> bool:
    """E-mail a signer their receipt now (the worker's task), numbering the petition's
    waiting log entries first if theirs is among them. False if there is none by now
    (withdrawn meanwhile: its salt is erased)."""
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is None or not signature.email:
        return False
    found = receipt_for(signature, sequence=True)
    if found is None:
        return False
    log_url = settings.SITE_URL + reverse("transparency:log", args=[found.petition_id])
    query = urlencode({"entry": found.number, "salt": found.secret})
    links = signer_links(signature)
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "number": found.number,
        "code": found.secret,
        "entry_url": f"{log_url}?entry={found.number}#found",
        "check_url": settings.SITE_URL
        + reverse("transparency:receipt", args=[found.petition_id])
        + "?"
        + query,
        "command": f"undersigned verify {log_url} --receipt {found}",
        **links,
    }
    # Sent here rather than queued again: the job holds the signature's id, never its
    # address, and a failed send fails this task, which is retried like any other.
    build_message(
        "signature_receipt", signature.email, context, signature.language,
        signer_headers(links),
    ).send()  # fmt: skip
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
