"""What the representatives tests share: a small region scheme with two wards, their
representatives, and confirmed signers placed in a ward through the real actions."""

from __future__ import annotations

import itertools
import re

from django.core import mail
from django.core.cache import cache

from undersigned.regions import lookups
from undersigned.regions.models import Region, Scheme
from undersigned.representatives.models import Representative
from undersigned.signatures import actions
from undersigned.signatures.models import Signature

SCHEME = "riverside-wards"
NORTH, SOUTH = "RN", "RS"
ALICE = {"name": "Alice Northcote", "role": "Councillor", "email": "alice@council.example.org",
         "party": "Green", "url": "https://example.org/alice"}  # fmt: skip
BOB = {"name": "Bob Norris", "role": "Councillor", "email": "bob@council.example.org",
       "party": "", "url": ""}  # fmt: skip
CAROL = {"name": "Carol South", "role": "Councillor", "email": "carol@council.example.org",
         "party": "Labour", "url": ""}  # fmt: skip

_numbers = itertools.count(1)


def make_scheme(quorum: int | None = 3, **fields) -> Scheme:
    scheme = Scheme.objects.create(code=SCHEME, name="Riverside wards", quorum=quorum, **fields)
    Region.objects.create(scheme=scheme, code=NORTH, name="Riverside North", country="GB",
                          population=20_000)  # fmt: skip
    Region.objects.create(scheme=scheme, code=SOUTH, name="Riverside South", country="GB",
                          population=10_000)  # fmt: skip
    lookups.forget()
    return scheme


def make_representatives() -> dict[str, Representative]:
    """Alice and Bob sit for the north ward, Carol for the south."""
    made = {}
    for person, ward in ((ALICE, NORTH), (BOB, NORTH), (CAROL, SOUTH)):
        made[person["name"].split()[0].lower()] = Representative.objects.create(
            region_scheme=SCHEME, region_code=ward, **person
        )
    return made


def sign_in_ward(petition, ward: str, times: int = 1, wants_updates: bool = True) -> list:
    """`times` confirmed signatures from `ward`, each through sign_petition and
    confirm_signature, as a signer's form and link would."""
    signatures = []
    for _ in range(times):
        number = next(_numbers)
        request = actions.SignRequest(
            name=f"Signer {number} Example", email=f"signer{number}@example.net",
            country="GB", region=ward, wants_updates=wants_updates,
        )  # fmt: skip
        signature = actions.sign_petition(petition, request)
        confirm(signature)
        signatures.append(signature)
    cache.clear()
    return signatures


def confirm(signature: Signature) -> None:
    from django.utils import timezone

    token = signature.new_token(timezone.now())
    Signature.objects.filter(pk=signature.pk).update(
        token_hash=signature.token_hash, token_created_at=signature.token_created_at
    )
    assert actions.confirm_signature(signature, token.split(".", 1)[1]) is not None


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def _newest_body(address: str) -> str:
    """The text of the newest e-mail to `address`: from the test runner's outbox, or,
    in browser tests, from the site's own outbox folder."""
    sent = mails_to(address)
    if sent:
        return sent[-1].body
    from undersigned.lib.outbox import letters

    return next(letter.text for letter in letters() if address in letter.to)


def answer_link(address: str) -> str:
    """The path of the position link in the newest e-mail to `address`."""
    body = _newest_body(address)
    return re.search(r"https?://[^/\s]+(/representatives/answer/\S+)", body).group(1)


def alerts_link(address: str) -> str:
    body = _newest_body(address)
    return re.search(r"https?://[^/\s]+(/representatives/alerts/\S+)", body).group(1)
