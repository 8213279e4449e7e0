"""The review queue: moderators read each submitted petition and approve, reject or hide it;
the decision makers' addresses organizers typed, checked before anything is e-mailed
there; and the fraud tools: a per-petition fraud page, releasing held signatures, and
bulk invalidation with a dry run.

The decisions themselves (state change, e-mail to the organizer) are in
`petitions/actions.py`, the bulk tools in `signatures/invalidation.py` and the figures in
`moderation/fraud.py`; these views only show them and pass a decision on.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.lib.http import error_page, see_other, staff_only
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.moderation import fraud
from undersigned.moderation.forms import DecisionForm, DuplicateForm, InvalidationForm
from undersigned.moderation.models import TrendingAlert
from undersigned.petitions import actions
from undersigned.petitions.models import InvalidTransition, Petition, Target
from undersigned.petitions.similar import as_item, similar_petitions
from undersigned.responses.addresses import (
    approve_listed_addresses,
    decide_address,
    listed_addresses,
)
from undersigned.responses.models import AddressReview, addresses_to_check
from undersigned.signatures.invalidation import (
    CONDITIONS,
    BadConditions,
    cancel_invalidation,
    release_held,
    revert_invalidation,
    start_invalidation,
)
from undersigned.signatures.models import Invalidation

logger = logging.getLogger(__name__)

QUEUE_LENGTH = 100
LISTED_SALT = "moderation.listed-addresses"
DONE = {
    DecisionForm.APPROVE: _("Approved “%(title)s”: it is open, and the organizer is e-mailed."),
    DecisionForm.REJECT: _("Rejected “%(title)s”: the organizer is e-mailed the reason."),
    DecisionForm.HIDE: _("Hid “%(title)s”: it is no longer on the site."),
}
ADDRESS_DONE = {
    AddressReview.Decision.APPROVED: _(
        "Approved the address of %(name)s (“%(title)s”): e-mails to them go out now."
    ),
    AddressReview.Decision.REJECTED: _(
        "Rejected the address of %(name)s (“%(title)s”): nothing is e-mailed to it."
    ),
}


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
        "open": Petition.objects.open_for_signing().most_signed()[:QUEUE_LENGTH],
        "alerts": TrendingAlert.objects.filter(
            created_at__gte=timezone.now() - timedelta(days=7)
        ).select_related("petition")[:50],
        "addresses_count": addresses_to_check().count(),
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
    listed = _listed(request.POST.get("listed", ""))
    try:
        _decide(petition, request.user, decision, form.cleaned_data, listed)
    except InvalidTransition as error:
        return _conflict(request, petition, " ".join(error.messages))
    messages.success(request, DONE[decision] % {"title": petition.title})
    return see_other("moderation:queue")


def _decide(
    petition: Petition, moderator, decision: str, data: dict, listed: list[tuple[int, str]]
) -> Petition:
    """The decision, and with an approval the decision makers' addresses the page listed:
    the moderator saw them there, under "approving will e-mail them at these addresses"."""
    with transaction.atomic():
        decided = actions.moderate_petition(
            petition, moderator, decision, data.get("reason", ""), data.get("note", "")
        )
        if decision == DecisionForm.APPROVE:
            approve_listed_addresses(decided, listed, moderator)
    return decided


def _listed(token: str) -> list[tuple[int, str]]:
    """The addresses the review page listed, from its signed hidden field: only those are
    approved, never one the organizer typed after the page was shown."""
    try:
        return [(int(pk), str(email)) for pk, email in signing.loads(token, salt=LISTED_SALT)]
    except (signing.BadSignature, TypeError, ValueError):
        return []


@require_POST
@staff_only
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the petition as a duplicate of another, or (action=unmark) undo that."""
    petition = get_object_or_404(Petition.objects.select_related("creator"), pk=pk)
    if request.POST.get("action") == "unmark":
        actions.unmark_duplicate(petition)
        messages.success(request, _("“%(title)s” is no longer marked as a duplicate.")
                         % {"title": petition.title})  # fmt: skip
        return see_other("moderation:review", petition.pk)
    form = DuplicateForm(request.POST)
    if form.is_valid():
        try:
            actions.mark_duplicate(petition, form.cleaned_data["original"], request.user)
        except InvalidTransition as error:
            form.add_error("original", " ".join(error.messages))
        else:
            done = _("Marked “%(title)s” as a duplicate: its page points to the other petition "
                     "and its signers who asked for updates are told.")  # fmt: skip
            messages.success(request, done % {"title": petition.title})
            return see_other("moderation:review", petition.pk)
    return _review_page(request, petition, DecisionForm(), status=400, duplicate_form=form)


def _review_page(
    request: HttpRequest,
    petition: Petition,
    form: DecisionForm,
    status: int = 200,
    duplicate_form: DuplicateForm | None = None,
) -> HttpResponse:
    listed = listed_addresses(petition)
    context = {
        # Petitions like this one, and the duplicate mark for a public one.
        "similar": [as_item(other) for other in similar_petitions(petition.title, petition.pk)],
        "duplicate_form": duplicate_form or DuplicateForm(),
        "original": petition.duplicate_of,
        "petition": petition,
        "targets": list(petition.targets.all()),
        "listed": signing.dumps(listed, salt=LISTED_SALT),
        "addressed": bool(listed),
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


@require_safe
@staff_only
def addresses(request: HttpRequest) -> HttpResponse:
    """Decision makers' addresses added or changed after their petition opened."""
    waiting = addresses_to_check()
    context = {"targets": waiting[:QUEUE_LENGTH], "count": waiting.count()}
    return render(request, "moderation/addresses.html", context)


@require_POST
@staff_only
def address_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject the address shown (`email`): a decision on an address that
    changed since the list was shown decides nothing, and says so."""
    target = get_object_or_404(Target.objects.select_related("petition"), pk=pk)
    decision = request.POST.get("decision", "")
    if decision not in AddressReview.Decision.values:
        return error_page(request, 400)
    email = request.POST.get("email", "")
    if decide_address(target, email, decision, request.user):
        done = ADDRESS_DONE[decision]
        messages.success(request, done % {"name": target.name, "title": target.petition.title})
    else:
        messages.error(request, _("That address changed or was decided meanwhile: see the list."))
    return see_other("moderation:addresses")


@require_safe
@staff_only
def fraud_page(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_object_or_404(Petition, pk=pk)
    context = {
        "petition": petition,
        "report": fraud.report(petition, timezone.now()),
        "alerts": petition.trending_alerts.all()[:20],
    }
    return render(request, "moderation/fraud.html", context)


@require_POST
@staff_only
def release(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_object_or_404(Petition, pk=pk)
    reason = request.POST.get("reason", "")
    if not reason:  # never "all of them" by accident: one reason per button
        return error_page(request, 400)
    released = release_held(petition, reason)
    logger.info("moderator %s released %d held (%s) on petition %s", request.user.pk, released,
                reason, petition.pk)  # fmt: skip
    messages.success(
        request,
        ngettext(
            "Released %(n)d signature held as “%(reason)s”: confirmed, it counts now.",
            "Released %(n)d signatures held as “%(reason)s”: the confirmed ones count now.",
            released,
        )
        % {"n": released, "reason": reason},
    )
    return see_other("moderation:fraud", petition.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def invalidate(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_object_or_404(Petition, pk=pk)
    invalidating = request.POST.get("action") == "invalidate"
    form = _invalidation_form(request, petition, invalidating)
    if not form.conditions_valid():
        return _invalidate_page(request, petition, form, status=400 if form.is_bound else 200)
    conditions = form.conditions()
    try:
        matches = fraud.count_matches(petition, conditions)
    except BadConditions as error:
        form.add_error(None, str(error))
        return _invalidate_page(request, petition, form, status=400)
    checked = request.POST.get("checked", "")
    problem = invalidating and fraud.dry_run_problem(checked, petition, conditions, matches)
    if problem:
        form.add_error(None, problem)
    if not invalidating or not form.is_valid():  # a dry run, or a stale count, or no reason
        status = 409 if problem else 400 if invalidating else 200
        return _invalidate_page(request, petition, form, matches, status=status)
    reason = form.cleaned_data["reason"].strip()
    start_invalidation(petition, conditions, reason, request.user)
    messages.success(request, _("The invalidation has started: its progress is in the list."))
    return see_other("moderation:invalidate", petition.pk)


def _invalidation_form(request: HttpRequest, petition: Petition, invalidating: bool):
    reasons = fraud.hold_reasons(petition)
    if request.method == "POST":
        return InvalidationForm(request.POST, hold_reasons=reasons, invalidating=invalidating)
    prefill = {name: value for name, value in request.GET.items() if name in CONDITIONS}
    return InvalidationForm(initial=prefill, hold_reasons=reasons)


def _invalidate_page(
    request: HttpRequest, petition: Petition, form: InvalidationForm, matches=None, status=200
) -> HttpResponse:
    context = {
        "petition": petition,
        "form": form,
        "matches": matches,
        "checked": matches and fraud.sign_dry_run(petition, form.conditions(), matches),
        "invalidations": fraud.described(
            petition.invalidations.select_related("created_by", "reverted_by")[:50]
        ),
    }
    return render(request, "moderation/invalidate.html", context, status=status)


@require_POST
@staff_only
def invalidation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invalidation = get_object_or_404(Invalidation, pk=pk)
    if cancel_invalidation(invalidation):
        messages.success(request, _("Cancelled. What it had invalidated stays so until reverted."))
    else:
        messages.error(request, _("That invalidation was no longer running."))
    return see_other("moderation:invalidate", invalidation.petition_id)


@require_POST
@staff_only
def invalidation_revert(request: HttpRequest, pk: int) -> HttpResponse:
    invalidation = get_object_or_404(Invalidation, pk=pk)
    try:
        back = revert_invalidation(invalidation, request.user)
    except BadConditions as error:
        messages.error(request, str(error))
    else:
        text = ngettext(
            "Reverted: %(n)d signature is no longer invalidated.",
            "Reverted: %(n)d signatures are no longer invalidated.",
            back,
        )
        messages.success(request, text % {"n": back})
    return see_other("moderation:invalidate", invalidation.petition_id)
