"""Organizers post updates and declare victory; moderators approve e-mailed updates.

The forms live on the dashboard (updates_panel); these views handle their POSTs and, when
there is something to fix or preview, show the form again on a page of its own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from undersigned.lib import markdown
from undersigned.lib.http import error_page, see_other, staff_only
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.petitions.access import EDITOR, load_for_organizer
from undersigned.petitions.models import InvalidTransition
from undersigned.updates import actions
from undersigned.updates.forms import DecisionForm, UpdateForm, VictoryForm
from undersigned.updates.models import Update


def update_form(petition, data=None) -> UpdateForm:
    count = actions.recipients(petition).count()
    return UpdateForm(data, recipients=count, left=actions.emails_left(petition))


def victory_form(petition, data=None) -> VictoryForm:
    return VictoryForm(data, recipients=actions.recipients(petition).count())


def _email_message(update: Update) -> str:
    if update.email_state == Update.EmailState.APPROVAL:
        return _("It will be e-mailed once a moderator approves it.")
    if update.email_state == Update.EmailState.QUEUED:
        return _("It is being e-mailed to %(count)s signers.") % {"count": update.email_total}
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def new_update(request: HttpRequest, pk: int) -> HttpResponse:
    petition = load_for_organizer(request, pk, need=EDITOR, staff=False)
    form = update_form(petition, request.POST if request.method == "POST" else None)
    preview = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "preview":
            preview = markdown.render(data["text"])
        else:
            try:
                update = actions.post_update(
                    petition, title=data["title"], text=data["text"], author=request.user,
                    email=data["email"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                posted = _("Your update is on the petition page.")
                messages.success(request, f"{posted} {_email_message(update)}".strip())
                return see_other(reverse("dashboard:updates", args=[petition.pk]))
    status = 400 if form.errors else 200
    context = {"petition": petition, "form": form, "preview": preview}
    return render(request, "updates/new.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def victory(request: HttpRequest, pk: int) -> HttpResponse:
    petition = load_for_organizer(request, pk, need=EDITOR, staff=False)
    form = victory_form(petition, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            update = actions.declare_victory(
                petition, request.user, form.cleaned_data["note"], form.cleaned_data["email"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            won = _("Congratulations! The victory is on top of the petition page.")
            messages.success(request, f"{won} {_email_message(update)}".strip())
            return see_other(petition.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request, "updates/victory.html", {"petition": petition, "form": form}, status=status
    )


@require_safe
@staff_only
def approval_queue(request: HttpRequest) -> HttpResponse:
    waiting = Update.objects.awaiting_approval().select_related("petition", "author", "target")
    return render(request, "updates/moderation.html", {"waiting": waiting[:100]})


@require_POST
@staff_only
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(Update.objects.select_related("petition"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return error_page(request, 400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.decide_update_email(update, request.user, approve)
    except InvalidTransition as error:
        return error_page(request, 409, {"message": " ".join(error.messages)})
    done = (
        _("Approved: “%(title)s” is being e-mailed.")
        if approve
        else _("Refused: “%(title)s” stays on the petition page but is not e-mailed.")
    )
    messages.success(request, done % {"title": update.display_title})
    return see_other(reverse("updates:approval_queue"))
