"""Organizers write, preview, edit, submit and close their own petitions.

Someone else's petition is a 404 here, like a draft on the public pages: these addresses
never reveal that a petition exists. A state change the petition no longer allows (a
double click, another tab, a moderator deciding meanwhile) is a 409 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersigned.lib import markdown
from undersigned.lib.http import error_page, see_other
from undersigned.lib.methods import require_http_methods, require_POST
from undersigned.petitions import access, actions, supporters
from undersigned.petitions.access import load_for_organizer
from undersigned.petitions.forms import BaseTargetFormSet, PetitionForm, target_formset
from undersigned.petitions.models import InvalidTransition, Petition
from undersigned.petitions.similar import as_item, similar_petitions

DRAFT_SAVED = gettext_lazy(
    "Your draft is saved. Only you can see it: read it through, then submit it for moderation."
)
GATHERING = gettext_lazy(
    "Your petition is submitted. Share the private link below: it goes to the moderators "
    "once enough supporters have confirmed. We have e-mailed you the link too."
)
SUBMITTED = gettext_lazy(
    "Your petition is submitted. A moderator will review it, usually within a day, "
    "and we will e-mail you the decision."
)


def _load_managed(request: HttpRequest, pk: int, *, creator_only: bool = False) -> Petition:
    """The petition if this user started it or edits it (or, unless creator_only, is a
    moderator). Only the creator submits a petition for moderation."""
    if creator_only:
        return load_for_organizer(request, pk, need=access.CREATOR, staff=False)
    return load_for_organizer(request, pk)


def _conflict(request: HttpRequest, error: InvalidTransition) -> HttpResponse:
    return error_page(request, 409, {"message": " ".join(error.messages)})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def new(request: HttpRequest) -> HttpResponse:
    return _write(request, Petition(creator=request.user))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load_managed(request, pk)
    if not petition.is_editable:
        return error_page(request, 409)
    return _write(request, petition)


def _write(request: HttpRequest, petition: Petition) -> HttpResponse:
    """The form page for `new` and `edit`: show, preview (saves nothing), or save a draft."""
    if request.method != "POST":
        return _form_page(
            request, petition, PetitionForm(instance=petition), target_formset(petition)
        )
    form = PetitionForm(request.POST, instance=petition)
    targets = target_formset(petition, request.POST)
    valid = form.is_valid()
    valid = targets.is_valid() and valid  # validate both, so every error shows at once
    if request.POST.get("action") == "preview":
        return _form_page(request, petition, form, targets, preview=_preview(form, targets))
    if not valid:
        return _form_page(request, petition, form, targets, status=400)
    try:
        petition = actions.save_draft(form.instance, targets.targets())
    except InvalidTransition as error:
        return _conflict(request, error)
    if petition.state == Petition.State.DRAFT:
        messages.success(request, DRAFT_SAVED)
    else:
        messages.success(request, _("Your changes are saved. It is still awaiting moderation."))
    return see_other(petition.get_absolute_url())


def _preview(form: PetitionForm, targets: BaseTargetFormSet) -> dict:
    """The petition page's parts as they will look, from what was typed, saving nothing.
    Values that failed their checks are shown as typed; the count box uses the goal if
    it is valid (form.instance holds only the values that passed)."""
    typed = form.data
    account_name = form.instance.creator.name if form.instance.creator_id else ""
    return {
        "petition": form.instance,
        "title": " ".join(typed.get("title", "").split()),
        "text_html": markdown.render(typed.get("text", "")[: form.fields["text"].max_length]),
        "targets": targets.targets(),
        "started_name": " ".join(typed.get("creator_name", "").split()) or account_name,
        "organisation": " ".join(typed.get("organisation", "").split()),
        "closes_at": form.cleaned_data.get("closes_at"),
    }


def _form_page(
    request: HttpRequest,
    petition: Petition,
    form: PetitionForm,
    targets: BaseTargetFormSet,
    preview: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "petition": petition,
        "form": form,
        "targets": targets,
        "preview": preview,
        "similar": _similar(petition, form),
    }
    return render(request, "petitions/form.html", context, status=status)


def _similar(petition: Petition, form: PetitionForm) -> list[dict]:
    """The "Sign this one instead?" list: petitions like the title as typed (a submitted
    form, valid or not) or as saved, seen before the organizer asks anyone to sign."""
    title = form.data.get("title", "") if form.is_bound else petition.title
    found = similar_petitions(title, exclude=petition.pk) if title.strip() else []
    return [as_item(other) for other in found]


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load_managed(request, pk, creator_only=True)
    try:
        petition = actions.submit_petition(petition)
    except InvalidTransition as error:
        return _conflict(request, error)
    if petition.state == Petition.State.SUPPORT:  # supporters first: the private link
        messages.success(request, GATHERING)
        return see_other(supporters.support_path(petition))
    messages.success(request, SUBMITTED)
    return see_other(petition.get_absolute_url())


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load_managed(request, pk)
    try:
        actions.close_petition(petition)
    except InvalidTransition as error:
        return _conflict(request, error)
    messages.success(request, _("The petition is closed. It no longer accepts signatures."))
    return see_other(petition.get_absolute_url())
