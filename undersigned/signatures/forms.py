from __future__ import annotations

from functools import lru_cache

from django import forms
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from undersigned.lib.countries import country_from_accept_language  # noqa: F401 (used by views)
from undersigned.regions import lookups
from undersigned.signatures.typos import suggest_address

COUNTRY_CODES = frozenset(code for code, _name in countries)


def country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose your country")), *countries]


@lru_cache(maxsize=32)
def _country_options(language: str | None) -> SafeString:
    """Every <option> of the country list in one language, unselected."""
    return format_html_join("", '<option value="{}">{}</option>', country_choices())


class CountrySelect(forms.Select):
    """Django's Select, drawn from options built once per language.

    Django renders each of the ~250 options through its own template: most of the CPU of
    a petition page render, and a page render is what every reader waits for when the
    cached copy has just expired. The markup is the same.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        options = _country_options(get_language())
        # The chosen option is marked in the escaped markup, where it is unique.
        chosen = format_html('<option value="{}">', value or "")
        head, found, tail = options.partition(chosen)
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        return format_html(
            "<select{}>{}{}{}</select>",
            format_html_join("", ' {}="{}"', ((k, v) for k, v in final.items() if v)),
            SafeString(head),
            SafeString(chosen[:-1] + " selected>" if found else ""),
            SafeString(tail),
        )


class SignForm(forms.Form):
    """The sign form. A plain Form, not a ModelForm: the action writes the row, and a
    ModelForm would build and validate a model instance on every signature for nothing."""

    use_required_attribute = False  # errors come from the server, in our words

    name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        error_messages={
            "required": _("Enter your full name, for example Anahit Karapetyan."),
            "max_length": ngettext_lazy(
                "Enter your name in %(limit_value)d character or fewer (you typed %(show_value)d).",
                "Enter your name in %(limit_value)d characters or fewer (you typed "
                "%(show_value)d).",
                "limit_value",
            ),
        },
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "We send you a link to confirm your signature. Your address is never shown "
            "publicly, and reaches the organizers only if you let them e-mail you."
        ),
        error_messages={"required": _("Enter your e-mail address, for example name@example.com.")},
    )
    # A plain code checked against a set: the ~250 country names are built only when the
    # form is drawn, not on every signature (they were a quarter of a sign's CPU).
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        widget=CountrySelect(),
        error_messages={"required": _("Choose the country you live in.")},
    )
    postcode = forms.CharField(label=_("Postcode (optional)"), max_length=16, required=False)
    comment = forms.CharField(
        label=_("Why are you signing? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=_("Up to 500 characters, shown with your signature if you make it public."),
    )
    public = forms.BooleanField(
        label=_("Show my name publicly"),
        required=False,
        help_text=_("Your first name and initial, country and reason appear on this page."),
    )
    wants_updates = forms.BooleanField(
        label=_("E-mail me updates about this petition"), required=False
    )
    contact_by_organizer = forms.BooleanField(
        label=_("Let the organizers e-mail me"),
        required=False,
        help_text=_(
            "The organizers receive your name and e-mail address. Without this, they "
            "never see your address."
        ),
    )

    # After address_to_use() has returned None: the address to offer in its question.
    suggestion = ""

    def __init__(self, *args, region_scheme: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.region_scheme = region_scheme
        if region_scheme:
            self._ask_for_region(region_scheme)
        # No maxlength on the name: a browser would cut a longer one silently, mid-word;
        # the server says it is too long instead.
        attrs = {
            "name": {"autocomplete": "name", "spellcheck": "false"},
            "email": {"autocomplete": "email", "spellcheck": "false", "inputmode": "email",
                      "maxlength": 254},
            "country": {"autocomplete": "country"},
            "postcode": {"autocomplete": "postal-code", "maxlength": 16},
        }  # fmt: skip
        for name, extra in attrs.items():
            self.fields[name].widget.attrs.update(extra)
        self.fields["name"].widget.attrs.pop("maxlength", None)  # CharField adds one
        self.fields["email"].widget.input_type = "email"
        # max_length=2 checks the code; on a <select> a maxlength attribute is invalid HTML.
        self.fields["country"].widget.attrs.pop("maxlength", None)

    def _ask_for_region(self, scheme: str) -> None:
        """A petition counted by region: the postcode finds the signer's region when the
        scheme has postcodes (actions.sign_petition); otherwise the signer may choose
        it from the regions of their country. Without script that is the country the
        form was drawn (or last sent) with; regions.js follows a change of country."""
        if lookups.has_postcodes(scheme):
            self.fields["postcode"].help_text = _(
                "We count signatures by region from your postcode. It is never shown publicly."
            )
            return
        country = str(self.data.get("country") or self.initial.get("country") or "").upper()
        self.fields["region"] = forms.CharField(
            label=_("Region (optional)"),
            required=False,
            max_length=40,
            help_text=_("Where you live, so the petition can show where its signers are."),
            widget=forms.Select(
                choices=[("", _("Choose your region")), *lookups.region_choices(scheme, country)],
                attrs={"data-regions": reverse("regions:choices", args=[scheme, "COUNTRY"])},
            ),
        )
        self.fields["region"].widget.attrs.pop("maxlength", None)  # invalid on a <select>
        order = list(self.fields)
        order.remove("region")
        order.insert(order.index("country") + 1, "region")
        self.order_fields(order)

    def clean(self) -> dict:
        data = super().clean()
        region, country = data.get("region"), data.get("country")
        if (
            region
            and country
            and region not in dict(lookups.region_choices(self.region_scheme, country))
        ):
            self.add_error(
                "region",
                _("Choose your region again: the list now shows the regions of %(country)s.")
                % {"country": countries.name(country)},
            )
        return data

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].strip().upper()
        if code not in COUNTRY_CODES:
            raise forms.ValidationError(_("Choose the country you live in."))
        return code

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter your full name, for example Anahit Karapetyan."))
        if any(ch in name for ch in "<>@") or "://" in name:
            raise forms.ValidationError(_("Enter your name only, without links or addresses."))
        # Letters of any script (isalpha is Unicode-wide); emoji and symbols alone are no
        # name, and the public initial is taken from a word with letters (short_name).
        if not any(ch.isalpha() for ch in name):
            raise forms.ValidationError(
                _("Enter your full name in letters, for example Anahit Karapetyan.")
            )
        return name

    def clean_email(self) -> str:
        address = self.cleaned_data["email"].strip()
        try:
            validate_email(address)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter an e-mail address in the right format, like name@example.com.")
            ) from None
        return address

    def address_to_use(self, asked: str, answer: str) -> str | None:
        """After is_valid(): the e-mail address to sign with, or None when the signer must
        first answer "Did you mean …?" about it (self.suggestion says what to offer).

        `asked` is the address that question was about, sent back with the form: once the
        signer has seen it, the next submit goes through, with the suggestion only if
        they pressed its button (`answer`). The question depends on the address alone,
        never on whether it signed, and costs no query (typos.py).
        """
        typed = self.cleaned_data["email"]
        suggestion = suggest_address(typed)
        if not suggestion:
            return typed
        if asked.strip() == typed:
            return suggestion if answer == "suggested" else typed
        self.suggestion = suggestion
        return None

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].split()).upper()
        if postcode and not all(ch.isalnum() or ch in " -" for ch in postcode):
            raise forms.ValidationError(_("Enter a postcode with letters, numbers and spaces."))
        return postcode

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].strip()
