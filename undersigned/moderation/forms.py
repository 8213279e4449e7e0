from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersigned.moderation.fraud import CONDITION_LABELS, HOLD_REASONS
from undersigned.petitions.models import Petition
from undersigned.signatures.invalidation import CONDITIONS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LOCAL_TIME = _("Day and time, in the site’s time zone. Example: 2026-11-24 18:00")


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


# A petition's number in what a moderator pastes: "12", "#12", or any of its addresses
# ("https://example.org/petitions/12-keep-the-library-open", "/petitions/12/sign").
PETITION_NUMBER = re.compile(r"#?([0-9]{1,18})")
PETITION_ADDRESS = re.compile(r"/petitions/([0-9]{1,18})(?![0-9])")


class DuplicateForm(forms.Form):
    """Which petition the one under review duplicates (petitions/actions.mark_duplicate
    checks the rest: public, not itself, no chain)."""

    use_required_attribute = False

    original = forms.CharField(
        label=_("The petition it duplicates"),
        max_length=500,
        help_text=_(
            "Its number or its address. Example: 12, or "
            "https://example.org/petitions/12-keep-the-library-open"
        ),
        error_messages={
            "required": _("Enter the number or the address of the petition it duplicates."),
            "max_length": _("Enter a petition number, or an address of %(limit_value)d "
                            "characters or fewer."),
        },
    )  # fmt: skip

    def clean_original(self) -> Petition:
        value = self.cleaned_data["original"].strip()
        match = PETITION_NUMBER.fullmatch(value) or PETITION_ADDRESS.search(value)
        if not match:
            raise forms.ValidationError(
                _("Enter a petition number like 12, or the petition’s address.")
            )
        original = Petition.objects.filter(pk=int(match[1])).first()
        if original is None:
            raise forms.ValidationError(
                _("There is no petition number %(number)s.") % {"number": match[1]}
            )
        return original


class InvalidationForm(forms.Form):
    """The conditions of a bulk invalidation (see signatures/invalidation.CONDITIONS) and
    the reason kept with it. Every condition is optional; all given ones must hold."""

    use_required_attribute = False

    domain = forms.CharField(
        label=CONDITION_LABELS["domain"],
        max_length=253,
        error_messages={
            "max_length": _("Shorten the domain to %(limit_value)d characters or fewer.")
        },
        required=False,
        help_text=_("Its subdomains match too. Example: example.org"),
    )
    ip_range = forms.CharField(
        label=CONDITION_LABELS["ip_range"],
        max_length=43,
        error_messages={
            "max_length": _("Shorten the address range to %(limit_value)d characters or fewer.")
        },
        required=False,
        help_text=_("An address block like 203.0.113.0/24, or a wider range like 203.0.0.0/16."),
    )
    since = forms.DateTimeField(
        label=CONDITION_LABELS["since"], required=False, widget=DATETIME, help_text=LOCAL_TIME
    )
    until = forms.DateTimeField(
        label=CONDITION_LABELS["until"], required=False, widget=DATETIME, help_text=LOCAL_TIME
    )
    country = forms.ChoiceField(label=CONDITION_LABELS["country"], required=False)
    name_pattern = forms.CharField(
        label=CONDITION_LABELS["name_pattern"],
        max_length=200,
        error_messages={
            "max_length": _("Shorten the name pattern to %(limit_value)d characters or fewer.")
        },
        required=False,
        help_text=_("A regular expression, not case-sensitive. Example: ^test "),
    )
    held_reason = forms.ChoiceField(label=CONDITION_LABELS["held_reason"], required=False)
    reason = forms.CharField(
        label=_("Why you are invalidating them"),
        max_length=500,
        error_messages={
            "max_length": _("Shorten the reason to %(limit_value)d characters or fewer.")
        },
        required=False,
        help_text=_("Kept with the record of this invalidation. Needed to invalidate."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, hold_reasons: Iterable[str] = (), invalidating: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.invalidating = invalidating
        self.fields["country"].choices = [("", _("Any country")), *countries]
        self.fields["held_reason"].choices = [
            ("", _("Held or not")),
            *((code, f"{code}: {HOLD_REASONS.get(code, code)}") for code in hold_reasons),
        ]

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip().lower().lstrip("@")
        if domain and ("." not in domain or "@" in domain or " " in domain):
            raise forms.ValidationError(_("Enter a domain like example.org."))
        return domain

    def clean_ip_range(self) -> str:
        value = self.cleaned_data["ip_range"].strip()
        try:
            return str(ipaddress.ip_network(value, strict=False)) if value else ""
        except ValueError:
            raise forms.ValidationError(_("Enter an address range like 203.0.113.0/24.")) from None

    def clean_name_pattern(self) -> str:
        pattern = self.cleaned_data["name_pattern"]
        try:
            re.compile(pattern)
        except re.error:
            raise forms.ValidationError(
                _("Enter a valid regular expression, for example ^test ")
            ) from None
        return pattern

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", _("Enter a time after the “signed at or after” time."))
        if not self.errors and not self.conditions():
            raise forms.ValidationError(_("Give at least one condition."))
        if self.invalidating and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why you are invalidating these signatures."))
        return data

    def conditions_valid(self) -> bool:
        """Submitted with valid conditions (the reason may still be missing)."""
        return self.is_bound and not (set(self.errors) - {"reason"})

    def conditions(self) -> dict[str, str]:
        """The conditions given, as JSON for the audit record (times in ISO 8601)."""
        found = {}
        for name in CONDITIONS:
            value = self.cleaned_data.get(name)
            if value:
                found[name] = value.isoformat() if isinstance(value, datetime) else str(value)
        return found
