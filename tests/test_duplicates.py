"""Moderators mark a petition as a duplicate of another: its page points there, it takes no
more signatures (page, sign POST, API), and its signers who asked for updates are told
once, by the worker, even when a worker dies or two run at once."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition, signed_in
from test_updates_support import add_signer

from undersigned.api.models import ApiKey
from undersigned.petitions import actions
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature
from undersigned.updates import duplicates


@pytest.fixture
def original(petition) -> Petition:
    return petition  # "Keep the library open on Sundays", open


@pytest.fixture
def copy(organizer, moderator) -> Petition:
    return make_petition(organizer, moderator, title="Open the library on Sundays please")


def mark(moderator, petition: Petition, value: str):
    url = reverse("moderation:duplicate", args=[petition.pk])
    return signed_in(moderator).post(url, {"original": value, "action": "mark"})


def test_a_moderator_marks_it_by_number_and_the_organizer_is_told(
    moderator, original, copy, run_tasks
):
    response = mark(moderator, copy, str(original.pk))
    assert response.status_code == 303
    assert response["Location"] == reverse("moderation:review", args=[copy.pk])
    assert Petition.objects.get(pk=copy.pk).duplicate_of == original
    run_tasks()
    (letter,) = mail.outbox
    assert letter.to == ["lena@example.org"] and "marked as a duplicate" in letter.subject
    assert original.absolute_url() in letter.body


@pytest.mark.parametrize(
    "address",
    [
        "http://testserver/petitions/{pk}-keep-the-library-open-on-sundays",
        "https://elsewhere.example/petitions/{pk}",
        "/petitions/{pk}/sign",
        "#{pk}",
    ],
)
def test_it_takes_the_other_petitions_address_as_well(moderator, original, copy, address):
    assert mark(moderator, copy, address.format(pk=original.pk)).status_code == 303
    assert Petition.objects.get(pk=copy.pk).duplicate_of_id == original.pk


def test_the_mark_is_refused_with_a_reason_on_the_review_page(organizer, moderator, original, copy):
    draft = make_petition(organizer, state=Petition.State.DRAFT, title="Not public yet")
    waiting = make_petition(organizer, moderator, state=Petition.State.MODERATION)
    third = make_petition(organizer, moderator, title="A third one")
    actions.mark_duplicate(third, copy, moderator)
    cases = [
        (copy, str(copy.pk), "cannot duplicate itself"),
        (copy, str(draft.pk), "is not public"),
        (copy, "the library one", "Enter a petition number like 12"),
        (copy, "999999", "There is no petition number 999999"),
        (copy, "", "Enter the number or the address"),
        (original, str(third.pk), f"is itself a duplicate of petition {copy.pk}"),
        (copy, str(original.pk), f"duplicates of this one ({third.pk})"),
        (waiting, str(original.pk), "Only an open or closed petition"),
    ]
    for petition, value, message in cases:
        response = mark(moderator, petition, value)
        html = response.content.decode()
        assert response.status_code == 400 and message in html, (value, message)
        assert "<title>Error:" in html
    assert Petition.objects.get(pk=copy.pk).duplicate_of is None
    assert Petition.objects.get(pk=original.pk).duplicate_of is None


def test_only_moderators_may_mark(client, organizer, original, copy):
    url = reverse("moderation:duplicate", args=[copy.pk])
    assert signed_in(organizer).post(url, {"original": str(original.pk)}).status_code == 403
    assert client.post(url, {"original": str(original.pk)}).status_code == 302  # sign in
    assert Petition.objects.get(pk=copy.pk).duplicate_of is None


def test_its_page_points_to_the_other_and_has_no_sign_form(client, moderator, original, copy):
    actions.mark_duplicate(copy, original, moderator)
    html = client.get(copy.get_absolute_url()).content.decode()
    assert "This petition duplicates “Keep the library open on Sundays”" in html
    assert f'href="{original.get_absolute_url()}">Sign that one' in html
    assert f'action="/petitions/{copy.pk}/sign' not in html
    assert client.get(f"/petitions/{copy.pk}.json").json()["duplicate_of"] == original.pk


def test_the_sign_post_gets_a_clear_page_and_signs_nothing(client, moderator, original, copy):
    actions.mark_duplicate(copy, original, moderator)
    response = client.post(
        reverse("signatures:sign", args=[copy.pk]), SIGNER, HTTP_ORIGIN="http://testserver"
    )
    html = response.content.decode()
    assert response.status_code == 409 and "It duplicates “Keep the library open" in html
    assert f'href="{original.get_absolute_url()}"' in html
    assert not Signature.objects.exists()


def test_a_pending_signature_is_not_confirmed_once_marked(
    client, moderator, original, copy, run_tasks
):
    client.post(reverse("signatures:sign", args=[copy.pk]), SIGNER, HTTP_ORIGIN="http://testserver")
    run_tasks()
    link = link_in_last_mail()
    actions.mark_duplicate(copy, original, moderator)
    response = client.post(link, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 409 and Signature.objects.get().confirmed_at is None


def test_the_api_refuses_with_its_own_code(client, moderator, original, copy):
    key = ApiKey(name="Friends of the Library", all_petitions=True)
    raw = key.new_secret()
    key.save()
    actions.mark_duplicate(copy, original, moderator)
    response = client.post(
        f"/api/v1/petitions/{copy.pk}/signatures",
        json.dumps({**SIGNER, "reference": "crm-1"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    error = response.json()["error"]
    assert response.status_code == 409 and error["code"] == "duplicate"
    assert not Signature.objects.exists()


def test_unmarking_lets_it_take_signatures_again(client, moderator, original, copy):
    actions.mark_duplicate(copy, original, moderator)
    url = reverse("moderation:duplicate", args=[copy.pk])
    assert signed_in(moderator).post(url, {"action": "unmark"}).status_code == 303
    assert Petition.objects.get(pk=copy.pk).accepts_signatures(timezone.now())


def test_the_review_page_lists_similar_petitions_and_the_mark(moderator, original, copy):
    page = signed_in(moderator).get(reverse("moderation:review", args=[copy.pk]))
    html = page.content.decode()
    assert "Similar petitions" in html and original.title in html
    assert f"number {original.pk}" in html and "Mark as a duplicate" in html
    actions.mark_duplicate(copy, original, moderator)
    html = signed_in(moderator).get(reverse("moderation:review", args=[copy.pk])).content.decode()
    assert f"Marked as a duplicate of petition {original.pk}" in html


# Telling the signers: once, only those who asked for updates, by the worker.


@pytest.fixture
def signers(copy) -> dict[str, Signature]:
    now = timezone.now()
    return {
        "asked": add_signer(copy, 1),
        "asked_too": add_signer(copy, 2, language="ru"),
        "not_asked": add_signer(copy, 3, wants_updates=False),
        "unconfirmed": add_signer(copy, 4, confirmed_at=None),
        "withdrawn": add_signer(copy, 5, withdrawn_at=now),
    }


def told() -> list[str]:
    return sorted(address for letter in mail.outbox for address in letter.to)


def test_signers_who_asked_for_updates_are_told_once(moderator, original, copy, signers):
    actions.mark_duplicate(copy, original, moderator)
    mail.outbox.clear()  # the organizer's e-mail is queued, not sent; nothing else is
    assert duplicates.tell_duplicate_signers() == 2
    assert told() == ["signer1@example.org", "signer2@example.org"]
    english = next(m for m in mail.outbox if m.to == ["signer1@example.org"])
    assert "Sign “Keep the library open on Sundays” instead" in english.subject
    assert original.absolute_url() in english.body and "List-Unsubscribe" in english.extra_headers
    assert duplicates.tell_duplicate_signers() == 0  # none left: marked as told
    assert Petition.objects.get(pk=copy.pk).duplicate_told_at is not None
    # Unmarked and marked again: nobody is told twice.
    actions.unmark_duplicate(copy)
    actions.mark_duplicate(copy, original, moderator)
    assert duplicates.tell_duplicate_signers() == 0 and len(mail.outbox) == 2


def test_the_clock_runs_it(moderator, original, copy, signers, run_tasks):
    from undersigned.jobs.actions import tick

    actions.mark_duplicate(copy, original, moderator)
    assert "tell_duplicate_signers" in tick()
    run_tasks()
    assert "signer1@example.org" in told() and "signer3@example.org" not in told()


def test_a_big_list_is_told_in_batches(moderator, original, copy, monkeypatch):
    monkeypatch.setattr(duplicates, "BATCH", 2)
    for n in range(5):
        add_signer(copy, n)
    actions.mark_duplicate(copy, original, moderator)
    assert [duplicates.tell_duplicate_signers() for _ in range(4)] == [2, 2, 1, 0]
    assert len(told()) == len(set(told())) == 5


class Killed(BaseException):
    """A worker killed mid-send: nothing after it runs, not even `except Exception`."""


def test_a_worker_killed_while_sending_loses_at_most_that_one_and_repeats_none(
    moderator, original, copy, signers, monkeypatch
):
    actions.mark_duplicate(copy, original, moderator)
    real_send = duplicates.build_mail

    def dying(*args, **kwargs):
        message = real_send(*args, **kwargs)
        message.send = lambda *a, **k: (_ for _ in ()).throw(Killed())
        return message

    monkeypatch.setattr(duplicates, "build_mail", dying)
    with pytest.raises(Killed):
        duplicates.tell_duplicate_signers()
    monkeypatch.setattr(duplicates, "build_mail", real_send)
    assert duplicates.tell_duplicate_signers() == 1  # the next one; the first is not repeated
    assert told() == ["signer2@example.org"]


def test_a_failed_send_gives_its_signer_back(moderator, original, copy, signers, monkeypatch):
    actions.mark_duplicate(copy, original, moderator)
    real_send = duplicates.build_mail

    def failing(*args, **kwargs):
        message = real_send(*args, **kwargs)
        message.send = lambda *a, **k: (_ for _ in ()).throw(ConnectionError("SMTP down"))
        return message

    monkeypatch.setattr(duplicates, "build_mail", failing)
    with pytest.raises(ConnectionError):
        duplicates.tell_duplicate_signers()
    monkeypatch.setattr(duplicates, "build_mail", real_send)
    assert duplicates.tell_duplicate_signers() == 2
    assert told() == ["signer1@example.org", "signer2@example.org"]


def test_two_workers_at_once_never_send_the_same_e_mail(moderator, original, copy, signers):
    actions.mark_duplicate(copy, original, moderator)
    seen_by_a = Petition.objects.get(pk=copy.pk)  # both read the cursor at 0
    seen_by_b = Petition.objects.get(pk=copy.pk)
    seen_by_a.duplicate_of = seen_by_b.duplicate_of = original
    now = timezone.now()
    assert duplicates.tell_batch(seen_by_a, now) == 2
    assert duplicates.tell_batch(seen_by_b, now) == 0  # its claim on the first one fails
    assert told() == ["signer1@example.org", "signer2@example.org"]
