"""A public signer cannot be lined up with their entry in the petition's public log: public
signers show the day, never the time; the log's entries carry the day; public lists go by
day then name, not by when people confirmed; cursors and OSDI ids hide what they hold."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from test_api_public import signed

from undersigned.lib import sealed
from undersigned.lib.publictime import day_of
from undersigned.transparency import actions
from undersigned.transparency.actions import unix_ms

API = "/api/v1"
OSDI = "/api/osdi/v1"
DAY_MS = 86_400_000
PAGE_TIME = re.compile(r'<li><strong>([^<]+)</strong>.*?<time datetime="([^"]+)">', re.S)


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # a fresh log signing key per test


@pytest.fixture
def today() -> datetime:
    return day_of(timezone.now())


def api_signers(client, petition, **query) -> list[dict]:
    return client.get(f"{API}/petitions/{petition.pk}/signers", query).json()["items"]


def osdi_signatures(client, petition, **query) -> list[dict]:
    url = f"{OSDI}/petitions/{petition.pk}/signatures"
    return client.get(url, query).json()["_embedded"]["osdi:signatures"]


def page_signers(client, petition) -> list[tuple[str, str]]:
    page = client.get(petition.get_absolute_url()).content.decode()
    recent = page[page.index('id="recent-heading"') :]
    return PAGE_TIME.findall(recent)


def public_times(client, petition) -> list[datetime]:
    """Every time the public sees of a public signer: API, OSDI and the petition page."""
    times = [datetime.fromisoformat(s["confirmed_at"]) for s in api_signers(client, petition)]
    times += [datetime.fromisoformat(s["created_date"]) for s in osdi_signatures(client, petition)]
    for _name, shown in page_signers(client, petition):
        moment = datetime.fromisoformat(shown)
        times.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return times


def test_no_public_signers_time_matches_their_log_entry_to_the_millisecond(client, petition, today):
    moments = [today + timedelta(seconds=i, milliseconds=123 * i + 7) for i in (1, 2, 3)]
    for i, moment in enumerate(moments):
        signed(petition, f"s{i}@example.org", name=f"Signer{i} Person", when=moment)
    actions.publish_checkpoint(petition.pk)
    log = reverse("transparency:entries", args=[petition.pk])
    entry_times = {entry["time_ms"] for entry in client.get(log).json()["entries"]}
    exact = {unix_ms(moment) for moment in moments}
    assert len(entry_times) == 1 and not entry_times & exact  # the log keeps the day only
    assert all(time % DAY_MS == 0 for time in entry_times)
    shown = public_times(client, petition)
    assert len(shown) == 9  # three signers, in three places
    assert not {unix_ms(time) for time in shown} & exact
    assert all(time == today for time in shown)  # the day, nothing finer


def test_public_lists_go_by_day_then_name_not_by_when_people_confirmed(client, petition, today):
    yesterday = today - timedelta(hours=1)
    signed(petition, "b@example.org", name="Bob Karapetyan", when=yesterday)
    for second, first_name in enumerate(["Zara", "Anna", "Mika"], start=1):
        when = today + timedelta(seconds=second)
        signed(petition, f"{first_name}@example.org", name=f"{first_name} Karapetyan", when=when)
    expected = ["Anna K.", "Mika K.", "Zara K.", "Bob K."]
    assert [s["name"] for s in api_signers(client, petition)] == expected
    pages = [osdi_signatures(client, petition, page=n, per_page=3) for n in (1, 2)]
    assert [s["custom_fields"]["public_name"] for s in pages[0] + pages[1]] == expected
    assert [name for name, _day in page_signers(client, petition)] == expected


def test_cursors_and_page_numbers_walk_every_signer_once_in_order(client, petition, today):
    names = ["Ani A", "Ani A", "Vahe B", "Ani C", "Lilit D", "Ani A", "Hayk E"]
    days = [0, 0, 0, 1, 1, 3, 3]  # days before today
    for i, (name, back) in enumerate(zip(names, days, strict=True)):
        when = today - timedelta(days=back) + timedelta(seconds=10 - i)
        signed(petition, f"s{i}@example.org", name=name, when=when)
    everyone = [(s["confirmed_at"], s["name"]) for s in api_signers(client, petition, limit=100)]
    assert len(everyone) == 7
    for size in (1, 2, 3):
        walked, cursor = [], None
        while True:
            query = {"limit": size, **({"cursor": cursor} if cursor else {})}
            data = client.get(f"{API}/petitions/{petition.pk}/signers", query).json()
            walked += [(s["confirmed_at"], s["name"]) for s in data["items"]]
            if not (cursor := data["next_cursor"]):
                break
        assert walked == everyone, size
        numbered = []
        for page in range(1, 8 // size + 2):
            found = osdi_signatures(client, petition, page=page, per_page=size)
            numbered += [s["custom_fields"]["public_name"] for s in found]
        assert numbered == [name for _day, name in everyone], size


def test_a_cursor_and_an_osdi_id_reveal_nothing_they_hold(client, petition, today):
    moment = today + timedelta(seconds=5, milliseconds=321)
    first = signed(petition, "a@example.org", name="Anahit Karapetyan", when=moment)
    signed(petition, "b@example.org", name="Bob Karapetyan", when=moment)
    cursor = client.get(f"{API}/petitions/{petition.pk}/signers", {"limit": 1}).json()
    cursor = cursor["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    for secret in [b"Karapetyan", b"Anahit", moment.isoformat().encode()[:19]]:
        assert secret not in raw
    with pytest.raises(signing.BadSignature):
        signing.loads(cursor, salt="api.cursor")  # what it used to be: signed, not sealed
    (listed, _bob) = osdi_signatures(client, petition)
    assert listed["identifiers"] != [f"undersigned:{first.pk}"]
    url = f"{OSDI}/petitions/{petition.pk}/signatures/{first.pk}"
    assert client.get(url).status_code == 404  # the row's own id is no address
    opaque = listed["identifiers"][0].removeprefix("undersigned:")
    assert client.get(f"{OSDI}/petitions/{petition.pk}/signatures/{opaque}").status_code == 200
    altered = opaque[:-2] + ("AA" if opaque[-2:] != "AA" else "BB")
    assert client.get(f"{OSDI}/petitions/{petition.pk}/signatures/{altered}").status_code == 404


def test_a_sealed_value_reads_back_only_unaltered_and_for_its_own_purpose():
    token = sealed.seal(b"\x00\x01secret", "one purpose")
    assert sealed.seal(b"\x00\x01secret", "one purpose") == token  # stable: an id
    assert sealed.unseal(token, "one purpose") == b"\x00\x01secret"
    assert b"secret" not in base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for bad, purpose in [
        (token, "another purpose"),
        (token[:-1] + ("A" if token[-1] != "A" else "B"), "one purpose"),
        ("", "one purpose"),
        ("not base64!", "one purpose"),
        ("é", "one purpose"),
    ]:
        with pytest.raises(sealed.Unsealable):
            sealed.unseal(bad, purpose)
