"""Form fields written once: every form that asks for an e-mail address asks the same way."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL_ERROR = _("Enter an e-mail address in the right format, like name@example.com.")


def email_field(label, help_text, required_message) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": required_message,
            "invalid": EMAIL_ERROR,
            "max_length": EMAIL_ERROR,
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "inputmode": "email"}
        ),
    )
