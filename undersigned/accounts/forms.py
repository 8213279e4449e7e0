from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.accounts.actions import safe_next
from undersigned.lib.formfields import email_field
from undersigned.lib.ratelimit import over_limit, reached


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


class StaffSignInForm(AdminAuthenticationForm):
    """The moderators' password form, with failed passwords also counted per account.

    The per-address limit (accounts/views.py) stops one machine; this one stops many
    machines guessing one moderator's password. It counts failures under the typed
    address, whether or not an account has it, so a locked account looks like any other,
    and a successful sign-in resets nothing. Once full, every attempt is refused before
    the password is checked, so the limit never tells a right password from a wrong one.
    """

    TOO_MANY = "too_many_attempts"
    use_required_attribute = False  # errors come from the server, in our words
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        # The same words whether the address is unknown, the password wrong or the
        # account not a moderator's: the page must not tell them apart.
        "invalid_login": _(
            "The e-mail address and password do not match a moderator account. Check "
            "both and try again: the password is case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username, password = self.fields["username"], self.fields["password"]
        username.label = _("E-mail address")
        # No autofocus: after an error the focus goes to the error summary instead.
        username.widget.attrs.pop("autofocus", None)
        username.widget.attrs.update(inputmode="email", spellcheck="false")
        username.error_messages.update(
            required=_("Enter your e-mail address, for example name@example.com."),
            max_length=_("Enter an e-mail address of 254 characters or fewer."),
        )
        password.label = _("Password")
        password.error_messages["required"] = _("Enter your password.")

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        if not (username and self.cleaned_data.get("password")):
            return super().clean()  # nothing was guessed: the fields say what is missing
        key = self.account_key(username)
        limit, window = settings.STAFF_LOGIN_ACCOUNT_ATTEMPTS, self.window_seconds()
        if reached(key, limit, window):
            minutes = settings.STAFF_LOGIN_ACCOUNT_MINUTES
            message = ngettext(
                "Too many failed sign-in attempts for this account. Wait up to %(minutes)d "
                "minute, then try again.",
                "Too many failed sign-in attempts for this account. Wait up to %(minutes)d "
                "minutes, then try again.",
                minutes,
            ) % {"minutes": minutes}
            raise forms.ValidationError(message, code=self.TOO_MANY)
        try:
            return super().clean()
        except forms.ValidationError:
            over_limit(key, limit, window)  # one more failure on this account
            raise

    def is_locked(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, self.TOO_MANY)

    @staticmethod
    def window_seconds() -> int:
        return settings.STAFF_LOGIN_ACCOUNT_MINUTES * 60

    @staticmethod
    def account_key(username: str) -> str:
        # Every spelling of one address counts as one; the cache holds no address.
        normalised = username.strip().lower().encode()
        return "staff-login-account:" + hashlib.sha256(normalised).hexdigest()
