"""{% receipt signature %} for the thank-you page, {% log_badge petition count %} for the
petition page."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from undersigned.petitions.models import Petition
from undersigned.transparency.actions import Signed
from undersigned.transparency.models import Checkpoint
from undersigned.transparency.receipts import receipt_for

register = template.Library()


@register.inclusion_tag("transparency/_receipt.html")
def receipt(signature: Signed) -> dict:
    """The signer's receipt, while the site still holds the salt (until withdrawal)."""
    found = receipt_for(signature)
    if found is None:
        return {"receipt": None}
    query = urlencode({"entry": found.entry_id, "salt": found.secret})
    log_url = settings.SITE_URL + reverse("transparency:log", args=[found.petition_id])
    return {
        "receipt": found,
        "url": reverse("transparency:receipt", args=[found.petition_id]) + "?" + query,
        "command": f"undersigned verify {log_url} --receipt {found}",
    }


@register.inclusion_tag("transparency/_badge.html")
def log_badge(petition: Petition, count: int | None = None) -> dict:
    """A line that links to the log, with its latest signed count when one exists."""
    checkpoint = (
        Checkpoint.objects.filter(petition=petition)
        .order_by("-tree_size")
        .only("count", "created_at")
        .first()
    )
    return {
        "petition": petition,
        "checkpoint": checkpoint,
        "matches": checkpoint is not None and checkpoint.count == count,
    }
