"""What representatives type: their position, their subscription, their address."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.representatives.models import REASON_LENGTH, PositionRequest

MAX_ALERT = 10_000_000


class PositionForm(forms.Form):
    use_required_attribute = False  # errors come from the server, in our words

    position = forms.ChoiceField(
        label=_("Your position on this petition"),
        choices=[
            (PositionRequest.Position.AGREE, _("I agree with the petition")),
            (PositionRequest.Position.DISAGREE, _("I disagree with the petition")),
            (PositionRequest.Position.UNDECIDED, _("I am undecided")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you agree, disagree or are undecided."),
            "invalid_choice": _("Choose whether you agree, disagree or are undecided."),
        },
    )
    reason = forms.CharField(
        label=_("Your reason"),
        help_text=_("Plain text, published as you write it, up to 1,000 characters."),
        max_length=REASON_LENGTH,
        error_messages={
            "required": _("Enter a reason for your position, in a sentence or more."),
            "max_length": _("Shorten your reason to 1,000 characters or fewer."),
        },
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": REASON_LENGTH}),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(
                _("Enter a reason for your position, in a sentence or more.")
            )
        return reason


class AlertForm(forms.Form):
    use_required_attribute = False

    threshold = forms.IntegerField(
        label=_("Tell me when my region reaches this many signers on a petition"),
        help_text=_("A whole number, for example 100. Leave it empty to stop these e-mails."),
        required=False,
        min_value=1,
        max_value=MAX_ALERT,
        error_messages={
            "invalid": _("Enter a whole number, like 100, or leave it empty."),
            "min_value": _("Enter a number of 1 or more, or leave it empty."),
            "max_value": _("Enter a number of 10,000,000 or fewer."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class AddressForm(forms.Form):
    use_required_attribute = False

    email = forms.EmailField(
        label=_("Your e-mail address as a representative"),
        help_text=_("The address we write to you at. We send the link there."),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address, like name@example.org."),
            "invalid": _("Enter an e-mail address in the right format, like name@example.org."),
            "max_length": _("Enter an e-mail address of 254 characters or fewer."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
