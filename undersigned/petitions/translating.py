"""Organizers translate their petition's title and text into other languages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersigned.lib.http import error_page, see_other
from undersigned.lib.methods import require_http_methods
from undersigned.petitions import actions
from undersigned.petitions.access import load_for_organizer
from undersigned.petitions.models import InvalidTransition, PetitionTranslation


class TranslationForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = PetitionTranslation
        fields = ["language", "title", "text"]
        labels = {
            "language": gettext_lazy("Language of this translation"),
            "title": gettext_lazy("Title"),
            "text": gettext_lazy("Text (Markdown, like the original)"),
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def translations(request: HttpRequest, pk: int) -> HttpResponse:
    petition = load_for_organizer(request, pk)
    # Organizers translate before moderation; afterwards only moderators may change text.
    can_edit = petition.is_editable or request.user.is_staff
    form = TranslationForm(request.POST or None)
    form.fields["language"].choices = [
        c for c in form.fields["language"].choices if c[0] != petition.language
    ]
    if request.method == "POST":
        if not can_edit:
            return error_page(request, 409)
        if request.POST.get("delete"):
            actions.delete_translation(petition, request.POST["delete"])
            messages.success(request, _("The translation was removed."))
            return see_other("petitions:translations", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_translation(petition, data["language"], data["title"], data["text"])
            except InvalidTransition as error:
                form.add_error("language", error)
            else:
                messages.success(request, _("The translation was saved."))
                return see_other("petitions:translations", pk=pk)
    context = {
        "petition": petition,
        "form": form,
        "can_edit": can_edit,
        "existing": petition.translations.all(),
    }
    return render(
        request, "petitions/translations.html", context, status=400 if form.errors else 200
    )
