"""The proof of work: a solved challenge is a good signal once; anything else is "no-pow"."""

from __future__ import annotations

import base64
import json

import altcha
import pytest
from django.test import RequestFactory
from django.urls import reverse
from support import SIGNER

from undersigned.signatures import pow
from undersigned.signatures.models import Signature


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.POW_MAX_NUMBER = 2_000  # solved in Python below: keep it quick


def solved() -> str:
    """The payload a signer's browser would post: a fresh challenge, solved."""
    challenge = altcha.Challenge.from_dict(pow.challenge())
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def verify(payload: str) -> bool:
    return pow.verify(RequestFactory().post("/sign", {"altcha": payload}))


def edited(payload: str, change) -> str:
    data = json.loads(base64.b64decode(payload))
    change(data)
    return base64.b64encode(json.dumps(data).encode()).decode()


def test_it_verifies_a_challenge_solved_in_python():
    assert verify(solved())


def test_a_replayed_proof_fails_the_second_time():
    payload = solved()
    assert verify(payload)
    assert not verify(payload)


def test_the_proof_is_remembered_only_until_its_challenge_expires(monkeypatch):
    timeouts = []
    remember = pow.cache.add

    def spy(key, value, timeout):
        timeouts.append(timeout)
        return remember(key, value, timeout)

    monkeypatch.setattr(pow.cache, "add", spy)
    assert verify(solved())
    assert len(timeouts) == 1 and pow.TTL - 5 < timeouts[0] <= pow.TTL + 1


def test_an_expired_proof_fails(monkeypatch):
    monkeypatch.setattr(pow, "TTL", -1)
    assert not verify(solved())


def test_a_proof_signed_with_another_key_fails(settings):
    payload = solved()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert not verify(payload)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["solution"].update(counter=d["solution"]["counter"] + 1),
        lambda d: d["solution"].update(derivedKey="00" * 32),
        lambda d: d["challenge"]["parameters"].update(keyPrefix="00"),
        lambda d: d["challenge"]["parameters"].update(expiresAt=2**40),
        lambda d: d["challenge"]["parameters"].pop("expiresAt"),
        lambda d: d["challenge"].update(signature="0" * 64),
        lambda d: d["challenge"].pop("signature"),
    ],
    ids=["counter", "key", "prefix", "expiry", "no-expiry", "signature", "unsigned"],
)
def test_a_tampered_proof_fails(change):
    assert not verify(edited(solved(), change))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not base64 at all!",
        "é" * 20,
        b64("not json"),
        b64("[]"),
        b64("null"),
        b64('{"challenge": "x", "solution": 1}'),
        b64('{"challenge": {"parameters": {}}, "solution": {}}'),
        b64('{"challenge": {"parameters": [], "signature": 1}, "solution": {"counter": 1}}'),
        b64("[" * 600 + "]" * 600),
        "A" * 200_000,  # bigger requests get a 413 before any view
    ],
    ids=[
        "empty", "not-base64", "unicode", "not-json", "list", "null", "wrong-types",
        "missing-keys", "nested-wrong-types", "deep", "huge",
    ],
)  # fmt: skip
def test_garbage_is_false_never_an_exception(payload):
    assert verify(payload) is False


def test_a_cache_outage_accepts_a_valid_proof_rather_than_flag_everyone(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(pow.cache, "add", down)
    assert verify(solved())


def test_the_challenge_endpoint_answers_fresh_json_never_cached(client):
    first = client.get(reverse("pow_challenge"))
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert first["Cache-Control"] == "no-store"
    assert set(first.json()) == {"parameters", "signature"}
    assert first.json()["parameters"]["expiresAt"] > pow.time.time()
    assert client.get(reverse("pow_challenge")).json() != first.json()
    assert "Set-Cookie" not in first.headers
    assert client.post(reverse("pow_challenge")).status_code == 405


def sign(client, petition, **fields):
    return client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, **fields})


def test_a_signature_without_a_proof_is_accepted_and_marked_no_pow(client, petition):
    assert sign(client, petition).status_code == 303
    assert "no-pow" in Signature.objects.get().risk.split()


def test_a_signature_with_a_proof_carries_no_no_pow_signal(client, petition):
    assert sign(client, petition, altcha=solved()).status_code == 303
    assert "no-pow" not in Signature.objects.get().risk.split()


def test_a_proof_used_by_one_signature_is_no_proof_for_the_next(client, petition):
    payload = solved()
    sign(client, petition, altcha=payload)
    sign(client, petition, altcha=payload, email="second@example.am")
    risks = dict(Signature.objects.values_list("email", "risk"))
    assert "no-pow" not in risks[SIGNER["email"]].split()
    assert "no-pow" in risks["second@example.am"].split()
