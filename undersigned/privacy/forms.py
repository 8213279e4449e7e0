from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.privacy.models import DataRequest

EMAIL_ERROR = _("Enter an e-mail address in the right format, like name@example.com.")


class DataRequestForm(forms.Form):
    """The address to send the link to, and what the link will do."""

    use_required_attribute = False  # errors come from the server, in our words

    email = forms.EmailField(
        label=_("The e-mail address you signed with"),
        max_length=254,
        help_text=_("We send the link to this address, so only its owner can use it."),
        error_messages={
            "required": _("Enter the e-mail address you signed with, like name@example.com."),
            "invalid": EMAIL_ERROR,
            "max_length": EMAIL_ERROR,
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"}
        ),
    )
    kind = forms.ChoiceField(
        label=_("What do you want us to do?"),
        choices=[
            (DataRequest.Kind.EXPORT, _("Send me everything you hold about me")),
            (DataRequest.Kind.ERASE, _("Erase everything you hold about me")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether you want a copy of your data or its erasure."),
            "invalid_choice": _("Choose whether you want a copy of your data or its erasure."),
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()
