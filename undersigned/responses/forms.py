"""What a decision maker types to answer a petition."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ResponseForm(forms.Form):
    use_required_attribute = False  # errors come from the server, in our words

    responder = forms.CharField(
        label=_("Your name and title, as shown publicly"),
        help_text=_("For example “Maria Rossi, Mayor of Riverside”."),
        max_length=120,
        error_messages={
            "required": _("Enter your name and title, for example “Maria Rossi, Mayor”."),
            "max_length": _("Shorten your name and title to 120 characters or fewer."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    text = forms.CharField(
        label=_("Your response"),
        help_text=_(
            "It is published on the petition page as you write it. You can use Markdown: "
            "**bold**, *italic*, a line starting with “- ” for a list, and "
            "[words](https://example.org) for a link."
        ),
        max_length=20_000,
        error_messages={
            "required": _("Enter your response to the petition."),
            "max_length": _("Shorten your response to 20,000 characters or fewer."),
        },
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def clean_responder(self) -> str:
        return " ".join(self.cleaned_data["responder"].split())

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if len(text) < 20:
            raise forms.ValidationError(
                _("Write a response of at least 20 characters that answers the petition.")
            )
        return text


class TargetEmailForm(forms.Form):
    """An organizer adds, changes or removes a decision maker's address on the dashboard.

    The field starts empty (the address on file is only shown masked), so an empty
    "Save" is a mistake, not a removal: removing takes its own button (`remove`)."""

    use_required_attribute = False

    email = forms.EmailField(
        label=_("E-mail address (never shown publicly)"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Enter an e-mail address in the right format, like name@example.org."),
            "max_length": _("Enter an e-mail address of 254 characters or fewer."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("remove"):
            data["email"] = ""
        elif not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                _("Enter an e-mail address, like name@example.org. To remove the address "
                  "on file, press “Remove the address”."),
            )  # fmt: skip
        return data
