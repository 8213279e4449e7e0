"""An organizer's webhooks for one petition: list, add (the secret is shown once), delete."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from undersigned.api import transport, webhooks
from undersigned.api.models import Webhook
from undersigned.lib.http import see_other
from undersigned.lib.methods import require_http_methods, require_POST
from undersigned.petitions.access import load_for_organizer
from undersigned.petitions.models import Petition

EVENT_CHOICES = [
    (Webhook.Event.MILESTONE, Webhook.Event.MILESTONE.label),
    (Webhook.Event.CLOSED, Webhook.Event.CLOSED.label),
    (Webhook.Event.RESPONSE, gettext_lazy("A response is published (not sent yet: coming later)")),
]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address that receives the events"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("An https:// address on your server."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["milestone", "closed"],
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            transport.check_url(url)
        except transport.Refused as error:
            raise forms.ValidationError(str(error)) from None
        return url


def _load_managed(request: HttpRequest, pk: int) -> Petition:
    return load_for_organizer(request, pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def webhook_list(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load_managed(request, pk)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    created, secret, status = None, "", 200
    if request.method == "POST":
        if form.is_valid():
            created, secret = webhooks.add_webhook(
                petition, form.cleaned_data["url"], form.cleaned_data["events"], request.user
            )
            form = WebhookForm()
        else:
            status = 400
    hooks = [
        (hook, hook.deliveries.order_by("-created_at")[:5])  # a petition has a few at most
        for hook in petition.webhooks.order_by("created_at")
    ]
    context = {
        "petition": petition,
        "form": form,
        "hooks": hooks,
        "created": created,
        "secret": secret,
    }
    # The secret is in this answer only: it is never shown again, so no redirect.
    return render(request, "api/webhooks.html", context, status=status)


@require_POST
@login_required
def webhook_delete(request: HttpRequest, pk: int, webhook_pk: int) -> HttpResponse:
    petition = _load_managed(request, pk)
    deleted, _rows = Webhook.objects.filter(petition=petition, pk=webhook_pk).delete()
    if deleted:
        messages.success(request, _("The webhook is deleted: it receives nothing more."))
    return see_other("api_pages:webhooks", pk=petition.pk)
