"""A representative's public page, their position page and subscription (private links,
no account), and the public "Waiting for an answer" list."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from undersigned.lib import links
from undersigned.lib.http import public_page, same_origin_post, see_other
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.lib.ratelimit import limit_posts
from undersigned.regions.lookups import region_named
from undersigned.representatives import actions, subscriptions
from undersigned.representatives.actions import LinkState
from undersigned.representatives.forms import AddressForm, AlertForm, PositionForm
from undersigned.representatives.models import Representative
from undersigned.representatives.waiting import waiting_petitions


def _private(response: HttpResponse) -> HttpResponse:
    """The link's secret is in the address: keep it out of Referer headers and indexes."""
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@public_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    representative = get_object_or_404(Representative, pk=pk)
    asked = representative.requests.public().select_related("petition")
    context = {
        "representative": representative,
        "region": region_named(representative.region_scheme, representative.region_code),
        "answered": [r for r in asked if r.answered_at],
        "waiting": sorted((r for r in asked if not r.answered_at), key=lambda r: r.asked_at),
        "now": timezone.now(),
    }
    return render(request, "representatives/detail.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the form; one POST publishes. The secret in the address is the
    credential, so anonymous POSTs are checked by origin, with no cookie."""
    position_request, state = actions.request_from_token(token)
    if state != LinkState.VALID:
        return _private(_link_page(request, state, position_request, token))
    form = PositionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not actions.record_position(position_request, **form.cleaned_data):
            position_request.refresh_from_db()  # a second click or tab published first
            return _private(_link_page(request, LinkState.USED, position_request, token))
        messages.success(request, _("Thank you: your position is published."))
        url = position_request.representative.get_absolute_url()
        return see_other(f"{url}#petition-{position_request.petition_id}")
    context = {"request_": position_request, "form": form, "token": token}
    context["region"] = region_named(
        position_request.representative.region_scheme, position_request.region_code
    )
    status = 400 if form.errors else 200
    return _private(render(request, "representatives/answer.html", context, status=status))


def _link_page(request: HttpRequest, state: str, position_request, token: str) -> HttpResponse:
    """A position link that cannot be used. Only a genuine one names its petition."""
    if state == LinkState.MALFORMED:
        text = [_("If we sent you a newer e-mail about this petition, use the link in that "
                  "one: each e-mail has its own link.")]  # fmt: skip
        return links.page(request, links.MALFORMED, text=text)
    petition = position_request.petition
    if state == LinkState.UNAVAILABLE:
        text = [_("This petition is no longer public, so positions on it are not published.")]
        return links.page(request, links.USED, title=_("This petition is not public any more"),
                          text=text)  # fmt: skip
    if state == LinkState.USED:
        page = position_request.representative.get_absolute_url()
        offer = links.Offer(_("See your public page"), page, style="link")
        text = [_("Your position on this petition is published. Each link publishes one "
                  "position.")]  # fmt: skip
        return links.page(
            request, links.USED, title=_("Your position was already published"), text=text,
            offer=offer, petition=petition,
        )  # fmt: skip
    days = settings.RESPONSE_LINK_DAYS
    text = [ngettext(
        "Links to state a position work for %(days)s day, and this one is too old. We can "
        "e-mail a new one to the address we wrote to.",
        "Links to state a position work for %(days)s days, and this one is too old. We can "
        "e-mail a new one to the address we wrote to.",
        days,
    ) % {"days": days}]  # fmt: skip
    offer = links.Offer(_("Send me a new link"), _url("new_link", token), post=True)
    return links.page(request, links.EXPIRED, text=text, offer=offer, petition=petition)


def _url(name: str, *args) -> str:
    return reverse(f"representatives:{name}", args=args)


@require_POST
@same_origin_post
def new_link(request: HttpRequest, token: str) -> HttpResponse:
    """From an expired link: a new one goes to the address on file, never to one typed."""
    position_request, state = actions.request_from_token(token)
    if state == LinkState.VALID:
        return see_other("representatives:answer", token=token)
    if state != LinkState.EXPIRED:
        return _private(_link_page(request, state, position_request, token))
    actions.renew_link(position_request)
    context = {"petition": position_request.petition}
    return _private(render(request, "representatives/new_link.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
@limit_posts("representative-link", 20, 3600)
@public_page
def subscribe(request: HttpRequest) -> HttpResponse:
    """Ask for one's subscription link by address. The same page whether or not the
    address is a representative's: nothing to probe."""
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        subscriptions.request_alert_link(form.cleaned_data["email"], get_language() or "en")
        context = {"email": form.cleaned_data["email"], "days": settings.RESPONSE_LINK_DAYS}
        return render(request, "representatives/subscribe_sent.html", context)
    status = 400 if form.errors else 200
    return render(request, "representatives/subscribe.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def alerts(request: HttpRequest, token: str) -> HttpResponse:
    """A representative's own subscription, through their private link."""
    try:
        representative = subscriptions.representative_from_token(token)
    except links.LinkError as error:
        offer = links.Offer(_("Ask for a new link"), _url("subscribe"), style="link")
        return _private(links.page(request, error.kind, offer=offer))
    initial = {"threshold": representative.alert_threshold}
    form = AlertForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        subscriptions.set_alert_threshold(representative, form.cleaned_data["threshold"])
        saved = True
    context = {
        "representative": representative,
        "region": region_named(representative.region_scheme, representative.region_code),
        "form": form,
        "token": token,
        "saved": saved,
    }
    status = 400 if form.errors else 200
    return _private(render(request, "representatives/alerts.html", context, status=status))


@require_safe
@public_page
def waiting(request: HttpRequest) -> HttpResponse:
    context = {"petitions": waiting_petitions(timezone.now())}
    return render(request, "representatives/waiting.html", context)
