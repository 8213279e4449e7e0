"""The country list is drawn from options built once per language, exactly as Django's
own Select would draw it."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import override

from undersigned.signatures.forms import SignForm, country_choices


def as_django_draws_it(form: SignForm, attrs: dict) -> str:
    select = forms.Select(choices=CallableChoiceIterator(country_choices))
    select.attrs = form.fields["country"].widget.attrs
    form.fields["country"].widget = select
    return str(form["country"].as_widget(attrs=attrs))


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["en", "fr", "hy"])
@pytest.mark.parametrize(
    "data", [None, {"country": "FR"}, {"country": "ZZ"}, {"country": '"><b>x'}, {"country": ""}]
)
def test_the_country_select_is_the_markup_django_would_write(language, data):
    with override(language):
        ours = SignForm(data=data, initial={"country": "AM"})
        theirs = SignForm(data=data, initial={"country": "AM"})
        attrs = {"aria-invalid": "true"}
        assert squeezed(str(ours["country"].as_widget(attrs=attrs))) == squeezed(
            as_django_draws_it(theirs, attrs)
        )


def test_exactly_the_chosen_country_is_selected():
    html = str(SignForm(data={"country": "AM"})["country"])
    assert html.count(" selected") == 1 and '<option value="AM" selected>' in html
    assert '<option value="" selected>' in str(SignForm()["country"])
