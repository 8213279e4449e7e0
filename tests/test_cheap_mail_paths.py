"""The worker's shortcut for links gives exactly what reverse() gives."""

import pytest
from django.urls import reverse

from undersigned.lib.urls import reverse_with


@pytest.mark.parametrize(
    "argument",
    ["123.abcDEF-_xyz0123", "eyJ:1tX3:abc_-", "with space", "ünïcode", "a%b", "~@!$&'()*+,;="],
)
@pytest.mark.parametrize(
    "name", ["signatures:confirm", "signatures:withdraw", "privacy:unsubscribe"]
)
def test_links_are_the_urls_reverse_gives(name, argument):
    assert reverse_with(name, argument) == reverse(name, args=[argument])


def test_an_argument_reverse_cannot_take_still_fails_as_reverse_does():
    from django.urls import NoReverseMatch

    for argument in ("", "a/b"):
        with pytest.raises(NoReverseMatch):
            reverse_with("signatures:confirm", argument)
