from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition


class DecisionForm(forms.Form):
    """A moderator's decision on a petition awaiting moderation."""

    APPROVE, REJECT, HIDE = "approve", "reject", "hide"

    use_required_attribute = False

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (APPROVE, _("Approve: open it for signatures and e-mail the organizer")),
            (
                REJECT,
                _("Reject: publish it as rejected, with the reason, and e-mail the organizer"),
            ),
            (HIDE, _("Hide: take it off the site without telling anyone (spam, abuse)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve, reject or hide the petition.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason for rejecting"),
        choices=Petition.Rejection.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only for a rejection. The organizer and the petition page show these words."),
    )
    note = forms.CharField(
        label=_("Note to the organizer (optional)"),
        max_length=2000,
        required=False,
        help_text=_(
            "Sent with a rejection and shown on the petition page under the reason. "
            "Up to 2,000 characters."
        ),
        error_messages={"max_length": _("Shorten the note to 2,000 characters or fewer.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_note(self) -> str:
        return self.cleaned_data["note"].strip()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("reason"):
            self.add_error("reason", _("Choose the reason for rejecting the petition."))
        return data
