"""The privacy page, and the signer's own controls: stop updates, export, erase."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from undersigned.lib import links
from undersigned.lib.http import public_page, same_origin_post
from undersigned.lib.methods import require_http_methods, require_safe
from undersigned.lib.ratelimit import limit_posts
from undersigned.privacy import actions
from undersigned.privacy.forms import DataRequestForm
from undersigned.privacy.models import LINK_LIFETIME, DataRequest
from undersigned.signatures.links import pk_from_unsubscribe_key
from undersigned.signatures.models import Signature

LINK_HOURS = int(LINK_LIFETIME.total_seconds() // 3600)


def facts() -> dict:
    """The numbers the privacy pages state, from the settings that enforce them."""
    return {
        "retention_months": getattr(settings, "RETENTION_MONTHS", 6),
        "token_days": settings.SIGNATURE_TOKEN_DAYS,
        "rotation_hours": settings.IP_HASH_ROTATION_HOURS,
        "sign_in_minutes": settings.SIGN_IN_LINK_MINUTES,
        "link_hours": LINK_HOURS,
        "consent_version": settings.CONSENT_VERSION,
        "contact": getattr(settings, "PRIVACY_CONTACT_EMAIL", ""),
    }


@require_safe
@public_page
def policy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/policy.html", facts())


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, key: str) -> HttpResponse:
    """GET shows a button; any POST stops the updates. That includes the one-click POST
    (`List-Unsubscribe=One-Click`, RFC 8058) a mail program sends from its own servers:
    the signed key is the proof, so no CSRF token or Origin is asked for."""
    found = Signature.objects.select_related("petition").filter(pk=pk_from_unsubscribe_key(key))
    signature = found.first()
    if signature is None:
        return _link_page(request, links.MALFORMED)
    if request.method == "POST":
        actions.unsubscribe(signature)
    elif signature.wants_updates:
        return render(request, "privacy/unsubscribe.html", {"signature": signature, "key": key})
    return render(request, "privacy/unsubscribed.html", {"petition": signature.petition})


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
@limit_posts("data-request", 20, 3600)
@public_page
def data_request(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "privacy/request.html", {"form": DataRequestForm()})
    form = DataRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/request.html", {"form": form}, status=400)
    email, kind = form.cleaned_data["email"], form.cleaned_data["kind"]
    actions.request_data(email, kind, get_language() or "en")
    # The same page whether or not the address signed anything: nothing to probe.
    context = {"email": email, "link_hours": LINK_HOURS}
    return render(request, "privacy/request_sent.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def data_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will happen and a button; only the POST acts, so mail scanners
    opening the link neither spend it nor erase anything."""
    try:
        data = actions.check_data_link(token)
        if request.method != "POST":
            context = {"data": data, "token": token, "signatures": actions.signatures_of(data)}
            return render(request, "privacy/data_link.html", context)
        if data.kind == DataRequest.Kind.EXPORT:
            return _download(actions.export_data(data))
        erased = actions.erase_data(data)
    except links.LinkError as error:
        return _link_page(request, error.kind)
    return render(request, "privacy/erased.html", {"erased": erased})


def _link_page(request: HttpRequest, kind: str) -> HttpResponse:
    """An unsubscribe or data link that cannot be used; a new data link is a form away."""
    if kind == links.MALFORMED:
        text = [_("If you removed your signature or erased your data, this link no longer works.")]
        return links.page(request, kind, text=text)
    offer = links.Offer(_("Ask for a new link"), reverse("privacy:request"), style="link")
    if kind == links.EXPIRED:
        text = [
            ngettext(
                "Links to get or erase your data work for %(hours)s hour, and this one is "
                "older. Nothing has been sent or erased.",
                "Links to get or erase your data work for %(hours)s hours, and this one is "
                "older. Nothing has been sent or erased.",
                LINK_HOURS,
            )
            % {"hours": LINK_HOURS}
        ]
        return links.page(request, kind, text=text, offer=offer)
    text = [_("Each link works once, and this one has done its job: your data was downloaded "
              "or erased when you pressed the button.")]  # fmt: skip
    return links.page(request, kind, text=text, offer=offer)


def _download(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-signatures.json"'
    response["Cache-Control"] = "no-store"
    return response
