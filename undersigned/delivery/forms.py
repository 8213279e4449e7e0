from __future__ import annotations

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersigned.delivery.actions import PaperEntry
from undersigned.delivery.models import PaperSheet, split_names

NAME_MAX = 100  # as long as an online signer's name may be


def country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a country")), *countries]


class PaperSheetForm(forms.ModelForm):
    use_required_attribute = False  # errors come from the server, in our words

    country = forms.ChoiceField(
        label=_("Country"),
        choices=CallableChoiceIterator(country_choices),
        error_messages={
            "required": _("Choose the country where these people signed."),
            "invalid_choice": _("Choose the country where these people signed."),
        },
    )

    # Range checked in clean_count, in our words (the model's field would say "0").
    count = forms.IntegerField(
        label=_("Number of signatures"),
        help_text=_("How many people signed these sheets in this country."),
        error_messages={
            "required": _("Enter the number of signatures, for example 120."),
            "invalid": _("Enter the number of signatures as a whole number, for example 120."),
        },
    )

    class Meta:
        model = PaperSheet
        fields = ["country", "count", "names", "note"]
        labels = {
            "country": _("Country"),
            "names": _("Names (optional)"),
            "note": _("Note (optional)"),
        }
        help_texts = {
            "names": _(
                "One name a line, as written on the sheets. They appear in the delivery "
                "pack, never on the petition page."
            ),
            "note": _("For the other organizers, for example where the sheets were signed."),
        }
        widgets = {
            "names": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
            "note": forms.TextInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].widget.attrs.update({"inputmode": "numeric", "min": 1})

    def clean_count(self) -> int:
        count = self.cleaned_data["count"]
        if count < 1:
            raise forms.ValidationError(_("Enter a number of at least 1."))
        if count > PaperSheet.MAX_COUNT:
            raise forms.ValidationError(
                _("Enter at most %(max)s signatures in one entry; add another for the rest.")
                % {"max": number_format(PaperSheet.MAX_COUNT, force_grouping=True)}
            )
        return count

    def clean_names(self) -> str:
        names = split_names(self.cleaned_data["names"])
        too_long = [name for name in names if len(name) > NAME_MAX]
        if too_long:
            raise forms.ValidationError(
                _("Put one name on each line: “%(name)s…” is longer than %(max)s characters.")
                % {"name": too_long[0][:30], "max": NAME_MAX}
            )
        return "\n".join(names)

    def clean(self) -> dict:
        data = super().clean()
        count, names = data.get("count"), split_names(data.get("names") or "")
        if count and len(names) > count:
            self.add_error(
                "names",
                _(
                    "You typed %(names)s names but the number of signatures is %(count)s: "
                    "correct the number or the names."
                )
                % {"names": len(names), "count": count},
            )
        return data

    def entry(self) -> PaperEntry:
        data = self.cleaned_data
        return PaperEntry(data["country"], data["count"], data["names"], data["note"])
