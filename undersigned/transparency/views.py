"""The public log for people: what it is and its latest checkpoint, and receipt checks."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from undersigned.lib.http import public_page
from undersigned.lib.methods import require_safe
from undersigned.transparency import keys
from undersigned.transparency.api import NUMBER, latest, public_petition, sequenced_size
from undersigned.transparency.receipts import OPENING_HEX, check_receipt


@require_safe
@public_page
def log_page(request: HttpRequest, pk: int) -> HttpResponse:
    petition = public_petition(pk)
    if petition is None:
        raise Http404
    context = {
        "petition": petition,
        "checkpoint": latest(petition),
        "sequenced": sequenced_size(petition),
        "verifier_key": keys.current_verifier_key(),
        "log_url": settings.SITE_URL + request.path,
    }
    return render(request, "transparency/log.html", context)


@require_safe
@never_cache  # the URL holds the receipt: keep it out of shared caches
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    petition = public_petition(pk)
    if petition is None:
        raise Http404
    entry_id, secret = request.GET.get("entry", ""), request.GET.get("salt", "").lower()
    context = {"petition": petition, "entry_id": entry_id, "secret": secret}
    if not NUMBER.fullmatch(entry_id) or not OPENING_HEX.fullmatch(secret):
        return render(
            request, "transparency/receipt.html", {**context, "malformed": True}, status=400
        )
    check = check_receipt(petition.pk, int(entry_id), secret)
    log_url = settings.SITE_URL + reverse("transparency:log", args=[petition.pk])
    context.update(check=check, log_url=log_url)
    return render(request, "transparency/receipt.html", context, status=200 if check else 404)
