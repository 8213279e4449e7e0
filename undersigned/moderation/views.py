"""The review queue: moderators read each submitted petition and approve, reject or hide it.

The decisions themselves (state change, e-mail to the organizer) are in
`petitions/actions.py`; these views only show the queue and pass a decision on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from undersigned.lib.http import see_other
from undersigned.lib.middleware import error_page
from undersigned.moderation.forms import DecisionForm
from undersigned.petitions import actions
from undersigned.petitions.models import InvalidTransition, Petition

QUEUE_LENGTH = 100
DONE = {
    DecisionForm.APPROVE: _("Approved “%(title)s”: it is open, and the organizer is e-mailed."),
    DecisionForm.REJECT: _("Rejected “%(title)s”: the organizer is e-mailed the reason."),
    DecisionForm.HIDE: _("Hid “%(title)s”: it is no longer on the site."),
}


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Moderators only: others are sent to sign in, or shown a 403 if signed in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            return error_page(request, 403)
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Petition.objects.awaiting_moderation().select_related("creator")
    decided = (
        Petition.objects.filter(moderated_by__isnull=False)
        .exclude(state=Petition.State.MODERATION)
        .select_related("creator", "moderated_by")
        .order_by("-updated_at")
    )
    context = {
        "waiting": waiting.prefetch_related("targets")[:QUEUE_LENGTH],
        "waiting_count": waiting.count(),
        "decided": decided[:10],
    }
    return render(request, "moderation/queue.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def review(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_object_or_404(Petition.objects.select_related("creator"), pk=pk)
    if request.method != "POST":
        return _review_page(request, petition, DecisionForm())
    if petition.state != Petition.State.MODERATION:
        return _conflict(request, petition)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _review_page(request, petition, form, status=400)
    decision = form.cleaned_data["decision"]
    try:
        _decide(petition, request.user, decision, form.cleaned_data)
    except InvalidTransition as error:
        return _conflict(request, petition, " ".join(error.messages))
    messages.success(request, DONE[decision] % {"title": petition.title})
    return see_other("moderation:queue")


def _decide(petition: Petition, moderator, decision: str, data: dict) -> Petition:
    return actions.moderate_petition(
        petition, moderator, decision, data.get("reason", ""), data.get("note", "")
    )


def _review_page(
    request: HttpRequest, petition: Petition, form: DecisionForm, status: int = 200
) -> HttpResponse:
    context = {
        "petition": petition,
        "targets": list(petition.targets.all()),
        "form": form,
        "awaiting": petition.state == Petition.State.MODERATION,
        "closing_passed": petition.closes_at is not None and petition.closes_at <= timezone.now(),
        "creator_petitions": petition.creator.petitions.count(),
    }
    return render(request, "moderation/review.html", context, status=status)


def _conflict(request: HttpRequest, petition: Petition, message: str = "") -> HttpResponse:
    petition.refresh_from_db()
    context = {"petition": petition, "message": message}
    return render(request, "moderation/conflict.html", context, status=409)
