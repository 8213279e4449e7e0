"""Signing, confirming and withdrawing: the signer's side, no account needed."""

from __future__ import annotations

import time
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from undersigned.lib import links
from undersigned.lib.client import client_address
from undersigned.lib.http import same_origin_post, see_other
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.petitions import supporters
from undersigned.petitions.models import Petition
from undersigned.petitions.views import load_visible, petition_page
from undersigned.signatures import actions, cookie, letters, pow
from undersigned.signatures.forms import SignForm
from undersigned.signatures.models import Signature

FACTS_SECONDS = 1.0
_facts: dict[int, tuple[float, Petition | None]] = {}


def signing_facts(pk: int) -> Petition | None:
    """State, closing date, duplicate mark and region scheme of a petition, as a bare
    instance, kept a second per process.

    The sign path needs nothing else; a surge asks for the same petition thousands of
    times a second. A state change made in this process clears it at once (post_save,
    apps.py), in others it shows within FACTS_SECONDS; the closing date is compared with
    the clock on every request, and a confirmation re-checks the petition from the
    database, so a signature taken in that second on a just-closed petition never counts.
    """
    now = time.monotonic()
    cached = _facts.get(pk)
    if cached is not None and now - cached[0] < FACTS_SECONDS:
        return cached[1]
    found = (
        Petition.objects.filter(pk=pk)
        .values_list("state", "closes_at", "duplicate_of", "region_scheme")
        .first()
    )
    petition = None
    if found:
        state, closes_at, duplicate_of_id, region_scheme = found
        petition = Petition(
            pk=pk, state=state, closes_at=closes_at, duplicate_of_id=duplicate_of_id,
            region_scheme=region_scheme,
        )  # fmt: skip
    if len(_facts) > 10_000:
        _facts.clear()
    _facts[pk] = (now, petition)
    return petition


def forget_signing_facts(sender=None, instance=None, **kwargs) -> None:
    _facts.pop(getattr(instance, "pk", None), None)


@require_POST
@same_origin_post
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    petition = signing_facts(pk)
    # A supporter signs with the private link's key before the petition opens.
    key = request.POST.get("support", "")
    supporting = bool(key) and petition is not None and supporters.may_sign(petition, key)
    if petition is None or not (supporting or petition.accepts_signatures(timezone.now())):
        petition = load_visible(request, pk)
        return render(request, "signatures/not_open.html", {"petition": petition}, status=409)
    form = SignForm(request.POST, region_scheme=petition.region_scheme)
    if not form.is_valid():
        return _sign_page(request, pk, form, key if supporting else "")
    email = form.address_to_use(
        request.POST.get("email_asked", ""), request.POST.get("email_answer", "")
    )
    if email is None:  # "Did you mean …?": the form again, answers kept, nothing written
        return _sign_page(request, pk, form, key if supporting else "")
    data = actions.SignRequest(
        **{**form.cleaned_data, "email": email},
        language=get_language() or "en",
        source=request.POST.get("source", ""),
    )
    client = actions.Client(address=client_address(request), proof_ok=pow.verify(request))
    actions.sign_petition(petition, data, client)
    response = see_other(_signed_path(petition.pk, get_script_prefix()))
    if supporting:  # the next page must find the petition without it being public
        response["Location"] = response["Location"].replace("#", f"?support={key}#", 1)
    cookie.remember_address(response, data.email)  # for the next page only
    return response


def _sign_page(request: HttpRequest, pk: int, form: SignForm, key: str) -> HttpResponse:
    """The form again with its errors: on the supporters' page or the public one."""
    if key:
        return supporters.support_page(request, supporters.petition_for(pk, key), form, 400)
    return petition_page(request, load_visible(request, pk), form, status=400)


@lru_cache(maxsize=1024)
def _signed_path(pk: int, _script_prefix: str) -> str:
    """reverse() is a tenth of a sign's own CPU; the answer for a petition never changes.

    The form posts to "…#error-summary" so that an error page opens at its summary; a
    redirect without a fragment would keep that one (RFC 9110, 10.2.2), so name our own."""
    return reverse("signatures:signed", kwargs={"pk": pk}) + "#main"


@require_safe
def signed(request: HttpRequest, pk: int) -> HttpResponse:
    key = request.GET.get("support", "")
    petition = supporters.petition_for(pk, key) if key else None
    petition = petition or load_visible(request, pk)
    email = cookie.remembered_address(request)
    context = {
        "petition": petition,
        "petition_path": supporters.page_path(petition) if key else petition.get_absolute_url(),
        "email": email,
        "days": settings.SIGNATURE_TOKEN_DAYS,
        "mails": settings.SIGNATURE_MAX_CONFIRMATION_EMAILS,
    }
    return render(request, "signatures/signed.html", context)


def _from_token(token: str) -> tuple[Signature | None, str]:
    """The signature a confirmation link is for, only when the link's secret is its token.

    A wrong secret is answered exactly like an id that does not exist, after the same
    work (lib/links.find): ids are sequential, and neither the page nor its timing may
    tell a stranger whether a signature exists, what became of it, or which petition it
    is on. A withdrawn signature has no token left, so its links are malformed too.
    """
    found = links.find(Signature.objects.select_related("petition").only(*LINK_FIELDS), token)
    return found.row, found.secret


# What a confirmation link's pages read. Both full rows (~80 columns) cost more to compile
# and build than the rest of a confirmation; anything else is loaded if a page needs it.
LINK_FIELDS = (
    "petition_id", "name", "confirmed_at", "withdrawn_at", "token_hash", "token_created_at",
    "petition__state", "petition__closes_at", "petition__closed_at", "petition__title",
    "petition__duplicate_of",
)  # fmt: skip


def _link_page(
    request: HttpRequest, kind: str, petition: Petition | None = None, token: str = ""
) -> HttpResponse:
    """A signer's link that cannot be used. Malformed names no petition: it is also the
    answer to a secret that is not the signature's, which must tell nothing."""
    if kind == links.MALFORMED:
        text = [
            _("If we sent you a newer e-mail since, only the link in the newest one works."),
            _("If you removed your signature, this link no longer works."),
        ]
        return links.page(request, kind, text=text)
    if kind == links.USED:
        return links.page(
            request, kind, title=_("Your signature is already confirmed"), petition=petition,
            text=[_("This link has been used: your signature is confirmed. There is nothing "
                    "more to do.")],
            offer=links.Offer(_("See the petition"), petition.get_absolute_url(), style="link"),
        )  # fmt: skip
    return links.page(
        request, kind, petition=petition,
        text=[_("Confirmation links work for a limited time, and this one is too old. We "
                "can send you a new one.")],
        offer=links.Offer(
            _("Send me a new link"), reverse("signatures:resend", args=[token]), post=True
        ),
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms, so mail scanners opening links do not."""
    signature, secret = _from_token(token)
    if signature is None or signature.withdrawn_at is not None:
        return _link_page(request, links.MALFORMED)
    petition, now = signature.petition, timezone.now()
    if signature.confirmed_at is not None:
        return _link_page(request, links.USED, petition)
    if signature.token_expired(now):
        return _link_page(request, links.EXPIRED, petition, token)
    if not (petition.accepts_signatures(now) or supporters.confirms_supporters(petition)):
        return render(request, "signatures/not_open.html", {"petition": petition}, status=409)
    if request.method != "POST":
        return render(request, "signatures/confirm.html", {"signature": signature, "token": token})
    if actions.confirm_signature(signature, secret, now) is None:
        return _link_page(request, links.USED, petition)
    key = signing.dumps(signature.pk, salt="signatures.thanks", compress=True)
    return see_other("signatures:thanks", key=key)


@require_POST
@same_origin_post
def resend(request: HttpRequest, token: str) -> HttpResponse:
    """From an expired link: ask for a fresh one, within the e-mail limit. Only with the
    link's own secret (expired or not): a stranger trying ids sends nothing, and the
    signer's link is not replaced behind their back."""
    signature, _secret = _from_token(token)
    if signature is None or signature.withdrawn_at is not None:
        return _link_page(request, links.MALFORMED)
    petition = signature.petition
    if signature.confirmed_at is not None:
        return _link_page(request, links.USED, petition)
    sent = actions.request_confirmation_mail(signature)
    return render(request, "signatures/resent.html", {"petition": petition, "sent": sent})


def _from_thanks_key(key: str) -> Signature | None:
    try:
        found = signing.loads(key, salt="signatures.thanks", max_age=7 * 86400)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    # Keys made before the thank-you page stopped showing a signer number held [id, n].
    signature_id = found[0] if isinstance(found, list) and found else found
    if not isinstance(signature_id, int):
        return None
    return Signature.objects.select_related("petition").filter(pk=signature_id).first()


@require_safe
def thanks(request: HttpRequest, key: str) -> HttpResponse:
    """The same page whether the signature counts or is held (signatures/risk.py): it
    shows only what is true of both, so a held sender learns nothing from it."""
    signature = _from_thanks_key(key)
    if signature is None:
        return _link_page(request, links.MALFORMED)
    petition = signature.petition
    if signature.withdrawn_at is not None:  # an old tab or bookmark: say what is true now
        return render(request, "signatures/withdrawn.html", {"petition": petition}, status=410)
    count = actions.count_for(petition)
    return render(
        request,
        "signatures/thanks.html",
        {
            "petition": petition,
            "signature": signature,
            "count": count,
            "withdraw_key": signature.withdraw_key(),
            "share_url": petition.absolute_url(),
            "thanks_key": key,
            "receipt_sent": request.GET.get("receipt") == "sent",
        },
    )


@require_POST
@same_origin_post
def email_receipt(request: HttpRequest, key: str) -> HttpResponse:
    """Send the signer their log receipt by e-mail, to keep beyond this browser."""
    signature = _from_thanks_key(key)
    if signature is None or signature.withdrawn_at is not None:
        return _link_page(request, links.MALFORMED)
    letters.email_receipt(signature)
    response = see_other("signatures:thanks", key=key)
    response["Location"] += "?receipt=sent"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def withdraw(request: HttpRequest, key: str) -> HttpResponse:
    signature_id = Signature.pk_from_withdraw_key(key)
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if signature is None:
        return _link_page(request, links.MALFORMED)
    if signature.withdrawn_at is not None:
        return render(request, "signatures/withdrawn.html", {"petition": signature.petition})
    if request.method != "POST":
        return render(request, "signatures/withdraw.html", {"signature": signature, "key": key})
    actions.withdraw_signature(signature)
    return render(request, "signatures/withdrawn.html", {"petition": signature.petition})
