from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from undersigned.sharing import pictures
from undersigned.sharing.models import ALT_MAX_LENGTH


class PictureForm(forms.Form):
    """The picture and what it shows. `image` is cleaned into the files to store
    (pictures.Prepared): a file we cannot take is an error on this field."""

    image = forms.FileField(
        label=_("Picture"),
        help_text=_("A JPEG, PNG or WebP file. We remove its location and camera details."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={
            "required": _("Choose a picture to upload (JPEG, PNG or WebP)."),
            "empty": _("The file is empty: choose a picture (JPEG, PNG or WebP)."),
            "invalid": _("Choose a picture to upload (JPEG, PNG or WebP)."),
            "max_length": _("The file’s name is too long: rename it and try again."),
        },
    )
    alt = forms.CharField(
        label=_("What the picture shows"),
        max_length=ALT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For people who cannot see it, in a sentence: "
            "“Children reading in the library on a Sunday”."
        ),
        error_messages={
            "required": _("Describe what the picture shows, for people who cannot see it."),
            "max_length": _("Shorten the description to 250 characters or fewer."),
        },
    )

    def clean_image(self) -> pictures.Prepared:
        try:
            return pictures.prepare(self.cleaned_data["image"])
        except pictures.PictureError as error:
            raise forms.ValidationError(error.message, code="picture") from error


class PictureDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
