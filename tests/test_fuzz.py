"""Hypothesis throws arbitrary input at every public form: the answer is always a page
with errors, a 303 or a 4xx — never a 5xx — and a refused submission leaves no row."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SIGNER, run_queued_tasks

from undersigned.signatures.models import Signature

nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50).map(lambda s: "=" + s),
    st.sampled_from(["\r\nBcc: victim@example.org", "x" * 10_000, "\x00", "<script>", " "]),
)
emails = st.one_of(
    st.emails(),
    st.sampled_from(
        ["anahit@пример.рф", "a@xn--e1afmkfd.xn--p1ai", "a\r\nBcc: x@y.z@ex.org", "@", "a@b"]
    ),
    nasty_text,
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(name=nasty_text, email=emails, country=nasty_text | st.just("AM"), comment=nasty_text)
def test_the_sign_form_never_fails_and_refusals_leave_nothing(
    petition, name, email, country, comment
):
    before = Signature.objects.count()
    response = Client().post(
        reverse("signatures:sign", args=[petition.pk]),
        {**SIGNER, "name": name, "email": email, "country": country, "comment": comment},
    )
    assert response.status_code in {303, 400, 413}, response.status_code
    if response.status_code != 303:
        assert Signature.objects.count() == before
    run_queued_tasks()
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert all("\n" not in to and "\r" not in to for to in message.to)
        assert not message.bcc


@FUZZ
@given(email=emails, name=nasty_text, next_url=nasty_text)
def test_the_sign_in_form_never_fails(db, email, name, next_url):
    response = Client().post(
        reverse("accounts:sign_in"), {"email": email, "name": name, "next": next_url}
    )
    assert response.status_code < 500


@FUZZ
@given(
    title=nasty_text, text=nasty_text, goal=nasty_text | st.integers().map(str), target=nasty_text
)
def test_the_petition_form_never_fails(organizer, title, text, goal, target):
    client = Client()
    client.force_login(organizer)
    response = client.post(
        reverse("petitions:new"),
        {
            "title": title, "text": text, "goal": goal, "language": "en",
            "closes_at": "2027-01-01", "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0", "targets-0-name": target, "action": "save",
        },
    )  # fmt: skip
    assert response.status_code < 500


@FUZZ
@given(query=nasty_text, page=nasty_text, state=nasty_text)
def test_search_never_fails(db, query, page, state):
    response = Client().get(reverse("petitions:list"), {"q": query, "page": page, "state": state})
    assert response.status_code == (400 if "\x00" in query + page + state else 200)
