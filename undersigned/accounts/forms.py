from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.accounts.actions import safe_next
from undersigned.lib.formfields import email_field


class SignInForm(forms.Form):
    """An address to send the sign-in link to; a name only matters for a new account."""

    use_required_attribute = False  # errors come from the server, in our words

    email = email_field(
        _("E-mail address"),
        _("We e-mail you a link to sign in. You do not need a password."),
        _("Enter your e-mail address, for example name@example.com."),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=100,
        required=False,
        help_text=_(
            "Only needed the first time. It is shown on your petitions as the person who "
            "started them."
        ),
        error_messages={"max_length": _("Enter a name of up to 100 characters.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if any(ch in name for ch in "<>@") or "://" in name:
            raise forms.ValidationError(_("Enter your name only, without links or addresses."))
        return name

    def clean_next(self) -> str:
        # A page elsewhere is dropped, not refused: the visitor cannot fix a hidden field.
        return safe_next(self.cleaned_data["next"])
