from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.lib.formfields import email_field
from undersigned.privacy.models import DataRequest


class DataRequestForm(forms.Form):
    """The address to send the link to, and what the link will do."""

    use_required_attribute = False  # errors come from the server, in our words

    email = email_field(
        _("The e-mail address you signed with"),
        _("We send the link to this address, so only its owner can use it."),
        _("Enter the e-mail address you signed with, like name@example.com."),
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
