"""What an organizer types: the petition, and the decision makers it is addressed to."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition
from undersigned.regions.lookups import scheme_choices

MAX_TARGETS = 5
MAX_OPEN_DAYS = 365  # a closing date at most this far ahead
DEFAULT_OPEN_DAYS = 91  # what a new petition's form suggests
CLOSING_TIME = time(23, 59)  # signing stops at the end of the chosen day (as import_petition)


class PetitionForm(forms.ModelForm):
    use_required_attribute = False  # errors come from the server, in our words

    closes_at = forms.DateField(
        label=_("Closing date"),
        help_text=_(
            "Signing stops at the end of this day. Choose a date up to a year from today, "
            "for example 30 September."
        ),
        error_messages={
            "required": _("Enter the closing date, for example 30 September."),
            "invalid": _("Enter the closing date as a real date, like 2026-09-30."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Where the signers live (the regions app): the site's schemes, offered only when it
    # has some (the template leaves the fieldset out otherwise).
    region_scheme = forms.ChoiceField(
        label=_("Count the signatures by region"),
        required=False,
        help_text=_(
            "Signers give their postcode or choose their region, and the petition shows "
            "where they live. Where the site knows the representatives of a region, they "
            "are asked for their position once enough of their people have signed."
        ),
    )
    region_quorum = forms.IntegerField(
        label=_("Signers in a region before its representatives are asked (optional)"),
        required=False,
        min_value=1,
        max_value=100_000_000,
        help_text=_("Leave it empty for the site’s own number."),
        error_messages={
            "invalid": _("Enter the number of signers as a whole number, for example 100."),
            "min_value": _("Enter at least 1 signer, or leave it empty."),
            "max_value": _("Enter at most 100,000,000 signers, or leave it empty."),
        },
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )

    class Meta:
        model = Petition
        fields = [
            "title", "text", "creator_name", "organisation", "goal", "closes_at", "language",
            "notify_targets", "region_scheme", "region_quorum",
        ]  # fmt: skip
        labels = {
            "title": _("Title"),
            "text": _("What should change, and why"),
            "creator_name": _("Your name"),
            "organisation": _("Your organisation (optional)"),
            "goal": _("Signature goal"),
            "language": _("Language of the petition"),
            "notify_targets": _("E-mail the decision makers about this petition"),
        }
        help_texts = {
            "title": _(
                "Ask for one clear action, in up to 150 characters: "
                "“Keep Riverside Library open on Sundays”."
            ),
            "text": _(
                "Explain the problem, what you ask for and why it matters. You can use "
                "Markdown: **bold**, *italic*, a line starting with “- ” for a list, "
                "and [words](https://example.org) for a link."
            ),
            "goal": _("How many signatures you aim for first. When it is reached, it moves up."),
            "creator_name": _("The petition says “Started by” and this name."),
            "organisation": _("If you start it for a group, its name appears beside yours."),
        }
        widgets = {
            "creator_name": forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "text": forms.Textarea(attrs={"rows": 14}),
            "goal": forms.NumberInput(attrs={"min": 10, "inputmode": "numeric"}),
        }
        error_messages = {
            "title": {
                "required": _("Enter a title that says what should change."),
                "max_length": _("Shorten the title to 150 characters or fewer."),
            },
            "text": {
                "required": _("Enter the text of your petition: what should change, and why."),
                "max_length": _("Shorten the text to 20,000 characters or fewer."),
            },
            "goal": {
                "required": _("Enter a signature goal, for example 1000."),
                "invalid": _("Enter the goal as a whole number, for example 1000."),
                "min_value": _("Set a goal of at least 10 signatures."),
                "max_value": _("Set a goal of at most 100,000,000 signatures."),
            },
            "language": {"required": _("Choose the language the petition is written in.")},
            "creator_name": {
                "max_length": _("Shorten your name to 100 characters or fewer."),
            },
            "organisation": {
                "max_length": _("Shorten the organisation’s name to 150 characters or fewer."),
            },
        }

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if self.instance.closes_at:
            self.initial["closes_at"] = timezone.localdate(self.instance.closes_at)
        elif self.instance.pk is None:
            self.initial["closes_at"] = self.today + timedelta(days=DEFAULT_OPEN_DAYS)
        self.fields["closes_at"].widget.attrs.update(
            min=(self.today + timedelta(days=1)).isoformat(),
            max=(self.today + timedelta(days=MAX_OPEN_DAYS)).isoformat(),
        )
        self.fields["notify_targets"].help_text = notify_help()
        self.fields["region_scheme"].choices = [("", _("No, not by region")), *scheme_choices()]
        # Every petition page names who started it. Left empty, it is the account's name
        # (actions.save_draft), so the field is needed only when the account has none.
        account_name = self.instance.creator.name if self.instance.creator_id else ""
        self.fields["creator_name"].required = not account_name
        self.fields["creator_name"].error_messages["required"] = _(
            "Enter your name as the petition will show it, for example Lena Aramyan."
        )
        if not self.instance.creator_name:
            self.initial["creator_name"] = account_name

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 10:
            raise forms.ValidationError(
                _("Write a title of at least 10 characters that says what should change.")
            )
        return title

    def clean_creator_name(self) -> str:
        return _plain_name(self.cleaned_data["creator_name"])

    def clean_organisation(self) -> str:
        return _plain_name(self.cleaned_data["organisation"])

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()

    def clean_closes_at(self) -> datetime:
        day: date = self.cleaned_data["closes_at"]
        if day <= self.today:
            raise forms.ValidationError(_("Choose a closing date after today."))
        if day > self.today + timedelta(days=MAX_OPEN_DAYS):
            raise forms.ValidationError(_("Choose a closing date within a year from today."))
        return timezone.make_aware(datetime.combine(day, CLOSING_TIME))


def _plain_name(value: str) -> str:
    """A name shown on the petition: one line, without links or addresses in it."""
    name = " ".join(value.split())
    if any(ch in name for ch in "<>@") or "://" in name:
        raise forms.ValidationError(_("Enter a name only, without links or addresses."))
    return name


def notify_help() -> str:
    """The notify checkbox's hint, with the site's thresholds."""
    counts = [
        formats.number_format(n, force_grouping=True) for n, _kind in settings.TARGET_THRESHOLDS
    ]
    if not counts:
        return str(
            _(
                "We e-mail each decision maker who has an address when the petition opens, "
                "with a private link to answer publicly."
            )
        )
    return _(
        "We e-mail each decision maker who has an address when the petition opens, and "
        "again when it reaches %(counts)s signatures, each time with a private link to "
        "answer publicly."
    ) % {"counts": str(_(" and ")).join(counts)}


class TargetForm(forms.Form):
    """One decision maker. Every row may be left empty; the formset needs at least one."""

    use_required_attribute = False

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        error_messages={"max_length": _("Shorten the name to 150 characters or fewer.")},
    )
    role = forms.CharField(
        label=_("Role or organisation (optional)"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Shorten the role to 200 characters or fewer.")},
    )
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        help_text=_(
            "Never shown publicly: used only to e-mail them about this petition, if you "
            "tick the box below, once our moderators have checked it. Give their official "
            "address."
        ),
        max_length=254,
        required=False,
        error_messages={
            "invalid": _("Enter the e-mail address in the right format, like name@example.org."),
            "max_length": _("Shorten the e-mail address to 254 characters or fewer."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_role(self) -> str:
        return " ".join(self.cleaned_data["role"].split())

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and data.get("role") and not data.get("name"):
            self.add_error("name", _("Enter the name of this decision maker, or clear the role."))
        elif not self.errors and data.get("email") and not data.get("name"):
            self.add_error(
                "name", _("Enter the name of this decision maker, or clear the e-mail address.")
            )
        return data


class BaseTargetFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("Name up to 5 decision makers."),
        "missing_management_form": _("Part of the form is missing. Reload the page and try again."),
    }

    def clean(self) -> None:
        if any(self.errors) or not self.forms:
            return
        if not self.targets():
            self.forms[0].add_error(
                "name",
                _("Name at least one decision maker: who can make this change happen?"),
            )

    def rows(self) -> tuple[list, list]:
        """(number, form) pairs: the rows shown open, up to the last one filled in or
        refused and at least the first, and the empty ones after it, which the page keeps
        behind "Add another decision maker" (a <details>: no script needed)."""
        numbered = list(enumerate(self.forms, start=1))
        used = [n for n, form in numbered if form.errors or any(f.value() for f in form)]
        shown = max(used, default=1)
        return numbered[:shown], numbered[shown:]

    def targets(self) -> list[dict[str, str]]:
        """The filled-in rows, in order, as `actions.save_draft` takes them."""
        rows = (form.cleaned_data for form in self.forms if hasattr(form, "cleaned_data"))
        return [
            {"name": r["name"], "role": r["role"], "email": r["email"]}
            for r in rows
            if r.get("name")
        ]


TargetFormSet = forms.formset_factory(
    TargetForm,
    formset=BaseTargetFormSet,
    extra=MAX_TARGETS,  # every row is in the page, so no script is needed to add one
    max_num=MAX_TARGETS,
    absolute_max=MAX_TARGETS,
    validate_max=True,
)


def target_formset(petition: Petition, data=None) -> BaseTargetFormSet:
    initial = (
        [{"name": t.name, "role": t.role, "email": t.email} for t in petition.targets.all()]
        if petition.pk
        else []
    )
    return TargetFormSet(data, initial=initial, prefix="targets")
