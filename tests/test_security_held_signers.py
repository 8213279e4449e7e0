"""A held signature looks accepted to its sender: at every step, a held signer and a
counted one are shown pages of the same shape (issue #20)."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from support import SIGNER, link_in_last_mail, run_queued_tasks

from undersigned.signatures import actions
from undersigned.signatures.models import Signature

ADDRESSES = {"counted": "person@example.org", "held": "bot@mailinator.com"}


def shape(response, email: str) -> tuple:
    """Status, where it leads and the page, with what differs between any two signers
    (their address, links, keys, numbers) written the same way."""
    text = response.content.decode() + " " + response.headers.get("Location", "")
    text = text.replace(email, "EMAIL")
    text = re.sub(r"[A-Za-z0-9_\-:]{16,}", "KEY", text)
    text = re.sub(r"\d+", "N", text)
    cookies = sorted((name, morsel["samesite"]) for name, morsel in response.cookies.items())
    return response.status_code, text, cookies


def walk(petition) -> dict[str, list[tuple]]:
    """Each signer's steps, taken side by side: sign, read the "check your e-mail" page,
    open the link, confirm, read the thank-you page, ask for the receipt, read it."""
    clients = {kind: Client() for kind in ADDRESSES}
    steps: dict[str, list] = {kind: [] for kind in ADDRESSES}

    def step(kind, response):
        steps[kind].append(shape(response, ADDRESSES[kind]))
        return response

    links = {}
    for kind, client in clients.items():
        data = {**SIGNER, "email": ADDRESSES[kind]}
        signed = step(kind, client.post(reverse("signatures:sign", args=[petition.pk]), data))
        step(kind, client.get(signed["Location"]))
        run_queued_tasks()
        links[kind] = link_in_last_mail("confirm")
        step(kind, client.get(links[kind]))
    thanks = {kind: step(kind, client.post(links[kind])) for kind, client in clients.items()}
    for kind, client in clients.items():
        step(kind, client.get(thanks[kind]["Location"]))
        asked = step(kind, client.post(thanks[kind]["Location"] + "/receipt"))
        step(kind, client.get(asked["Location"]))
    return steps


def test_a_held_signer_sees_pages_of_the_same_shape_as_a_counted_one(petition):
    steps = walk(petition)
    held = Signature.objects.get(email=ADDRESSES["held"])
    assert held.held_reason and held.confirmed_at  # it really is held, and confirmed
    assert actions.count_for(petition) == 1
    for number, (counted, shown_to_held) in enumerate(zip(*steps.values(), strict=True)):
        assert counted == shown_to_held, f"step {number}"


def test_the_thank_you_page_shows_no_signer_number_that_a_hold_would_freeze(petition):
    """A held sender's signatures add nothing: their numbers would not move."""
    thanks_page = walk(petition)["held"][4][1]
    assert "Thank you" in thanks_page and "signer #" not in thanks_page
