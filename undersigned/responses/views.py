"""The decision maker's answer page (a private link, no account) and the organizers'
buttons on the dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from undersigned.lib import links
from undersigned.lib.http import same_origin_post, see_other
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.petitions.access import load_for_organizer
from undersigned.responses import actions
from undersigned.responses.actions import AddressChange, LinkState, NotificationRefused
from undersigned.responses.forms import ResponseForm, TargetEmailForm
from undersigned.responses.models import AddressState, address_state
from undersigned.signatures.actions import count_for

PUBLISHED_SALT = "responses.published"
RENEWABLE = {LinkState.EXPIRED, LinkState.UNCHECKED}


def _private(response: HttpResponse) -> HttpResponse:
    """The link's secret is in the address: keep it out of caches and Referer headers.
    (Not "no-referrer": browsers then send `Origin: null`, which same_origin_post
    refuses.)"""
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_page(request: HttpRequest, state: str, notification, token: str) -> HttpResponse:
    """An answer link that cannot be used. Only a genuine link (not malformed) names its
    petition."""
    if state == LinkState.MALFORMED:
        text = [_("If the organizers sent you a newer e-mail, use the link in that one: each "
                  "e-mail has its own link.")]  # fmt: skip
        return _private(links.page(request, links.MALFORMED, text=text))
    if state == LinkState.UNAVAILABLE:
        context = {"petition": notification.petition}
        return _private(render(request, "responses/unavailable.html", context, status=410))
    if state == LinkState.USED:
        return _private(_used_page(request, notification))
    return _private(_renew_page(request, state, notification, token))


def _used_page(request: HttpRequest, notification) -> HttpResponse:
    used_at = notification.used_at
    date = formats.date_format(timezone.localtime(used_at), "DATE_FORMAT") if used_at else ""
    text = [
        _("This link was used on %(date)s: the response is on the petition page. Each link "
          "publishes one response.") % {"date": date},
        _("To add to it, use the link in a newer e-mail about this petition."),
    ]  # fmt: skip
    petition = notification.petition
    offer = links.Offer(
        _("See the petition and its responses"), petition.get_absolute_url(), style="link"
    )
    title = _("A response was already published with this link")
    return links.page(request, links.USED, title=title, text=text, offer=offer, petition=petition)


def _renew_page(request: HttpRequest, state: str, notification, token: str) -> HttpResponse:
    """Expired, or sent before addresses were checked (unchecked): the same page, which
    offers a new link, sent to the address on file (new_link below)."""
    if state == LinkState.UNCHECKED:
        title = _("Ask for a new link")
        text = _("This link was sent before our moderators checked the addresses of decision "
                 "makers, so it can no longer publish a response. We can e-mail a new one to "
                 "the address on file once a moderator has checked it.")  # fmt: skip
    else:
        days, title = settings.RESPONSE_LINK_DAYS, ""
        too_old = ngettext(
            "Links to respond work for %(days)s day, and this one is too old.",
            "Links to respond work for %(days)s days, and this one is too old.",
            days,
        ) % {"days": days}
        text = " ".join([too_old, _("We can e-mail a new one to the address we wrote to.")])
    url = reverse("responses:new_link", args=[token])
    return links.page(
        request, links.EXPIRED, title=title, text=[text], petition=notification.petition,
        offer=links.Offer(_("Send me a new link"), url, post=True),
    )  # fmt: skip


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@same_origin_post
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the form; one POST publishes. Anonymous POSTs are checked by origin
    (the secret in the address is the credential), so no cookie is needed."""
    notification, state = actions.notification_from_token(token)
    if state != LinkState.VALID:
        return _link_page(request, state, notification, token)
    petition, target = notification.petition, notification.target
    data = request.POST if request.method == "POST" else None
    form = ResponseForm(data, initial={"responder": str(target)})
    if request.method == "POST" and form.is_valid():
        try:
            update = actions.publish_response(notification, **form.cleaned_data)
        except ValidationError as error:  # e.g. the petition was hidden meanwhile
            form.add_error(None, error.messages)
        else:
            if update is None:  # a second click, or another tab, published first
                notification.refresh_from_db(fields=["used_at"])  # for the page's date
                return _link_page(request, LinkState.USED, notification, token)
            key = signing.dumps(notification.pk, salt=PUBLISHED_SALT)
            return see_other("responses:published", key=key)
    context = {
        "petition": petition,
        "target": target,
        "form": form,
        "token": token,
        "count": count_for(petition),
        "notification": notification,
    }
    status = 400 if form.errors else 200
    return _private(render(request, "responses/respond.html", context, status=status))


@never_cache
@require_safe
def published(request: HttpRequest, key: str) -> HttpResponse:
    try:
        pk = signing.loads(key, salt=PUBLISHED_SALT, max_age=24 * 3600)
    except signing.BadSignature as error:
        raise Http404 from error
    from undersigned.responses.models import Notification

    notification = get_object_or_404(
        Notification.objects.select_related("petition"), pk=pk, used_at__isnull=False
    )
    context = {"petition": notification.petition, "notification": notification}
    return _private(render(request, "responses/published.html", context))


@require_POST
@same_origin_post
def new_link(request: HttpRequest, token: str) -> HttpResponse:
    """From an expired link (or one sent before addresses were checked): the decision
    maker asks for a new one, sent to the address on file (never to one typed here) once
    a moderator has approved it, at most once a day."""
    notification, state = actions.notification_from_token(token)
    if state == LinkState.VALID:  # still works: nothing to send
        return see_other("responses:respond", token=token)
    if state not in RENEWABLE:
        return _link_page(request, state, notification, token)
    try:
        actions.resend_notification(notification.target)
        sent = True
    except NotificationRefused:
        sent = False
    waiting = address_state(notification.target) == AddressState.UNCHECKED
    context = {"petition": notification.petition, "sent": sent, "waiting": waiting}
    return _private(render(request, "responses/new_link.html", context))


@require_POST
@login_required
def resend(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    petition = load_for_organizer(request, pk, staff=False)
    target = get_object_or_404(petition.targets.all(), pk=target_pk)
    try:
        actions.resend_notification(target, request.user)
    except NotificationRefused as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _resend_message(target))
    return see_other(reverse("dashboard:decision_makers", args=[petition.pk]))


@require_POST
@login_required
def toggle_notify(request: HttpRequest, pk: int) -> HttpResponse:
    petition = load_for_organizer(request, pk, staff=False)
    on = request.POST.get("notify") == "on"
    actions.set_notify_targets(petition, on)
    if on:
        messages.success(request, _("We will e-mail the decision makers who have an address."))
    else:
        messages.success(request, _("We will not e-mail the decision makers any more."))
    return see_other(reverse("dashboard:decision_makers", args=[petition.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def target_email(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """The address form of one decision maker: posted from the dashboard panel; on an
    error (or a GET) it is shown on a page of its own, with the message."""
    petition = load_for_organizer(request, pk, staff=False)
    target = get_object_or_404(petition.targets.all(), pk=target_pk)
    form = TargetEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        change = actions.set_target_email(target, form.cleaned_data["email"], request.user)
        messages.success(request, _address_message(target, change))
        return see_other(reverse("dashboard:decision_makers", args=[petition.pk]))
    context = {"petition": petition, "target": target, "form": form}
    context["address_state"] = address_state(target)
    status = 400 if form.errors else 200
    return render(request, "responses/target_email.html", context, status=status)


def _resend_message(target) -> str:
    name = {"name": target.name}
    if address_state(target) == AddressState.UNCHECKED:
        return _("The e-mail to %(name)s goes out once our moderators have checked their "
                 "address, usually within a day.") % name  # fmt: skip
    return _("An e-mail to %(name)s is on its way.") % name


def _address_message(target, change: str) -> str:
    name = {"name": target.name}
    if change == AddressChange.UNCHANGED:
        return _("This is already the address on file for %(name)s.") % name
    if change == AddressChange.REMOVED:
        return _("The address of %(name)s is removed: we will not e-mail them.") % name
    state = address_state(target)
    if state == AddressState.REJECTED:
        return _("Our moderators did not accept this address for %(name)s before: we will "
                 "not e-mail it. Give their official address.") % name  # fmt: skip
    if state == AddressState.UNCHECKED:
        return _("The address of %(name)s is saved. Our moderators check every new address "
                 "before we e-mail it, usually within a day.") % name  # fmt: skip
    if actions.is_due(target):
        return _("The address of %(name)s is saved. We will e-mail them about the petition "
                 "within a few minutes.") % name  # fmt: skip
    if target.notifications.exists():
        return _(
            "The address of %(name)s is saved. E-mails already sent are not sent again: "
            "press “E-mail %(name)s again” to send one to the new address."
        ) % name  # fmt: skip
    if target.petition.state in actions.ANSWERABLE and not target.petition.notify_targets:
        return _("The address of %(name)s is saved. E-mails to the decision makers are off: "
                 "press “E-mail %(name)s now” to send one.") % name  # fmt: skip
    return _("The address of %(name)s is saved.") % name
