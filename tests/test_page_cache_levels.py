"""The page cache's two levels: each process's own copy in front of the shared cache, one
render per expiry however many readers are waiting, and pages compressed once."""

from __future__ import annotations

import gzip
import threading
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from undersigned.web import pagecache


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    """These tests are about the levels, not the periods."""


def only_key() -> str:
    (key,) = pagecache._LOCAL
    return key


def expire_copies(key: str) -> None:
    """What the wall clock does at the end of the period, for this process and the shared
    cache alike."""
    stored, _fresh = pagecache._LOCAL[key]
    pagecache._LOCAL[key] = (stored, time.time() - 0.1)
    cache.delete(key)


def test_a_reader_is_served_from_the_process_copy_without_asking_the_shared_cache(
    client, petition, monkeypatch
):
    first = client.get(petition.get_absolute_url())
    asked = []
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: asked.append(args))
    second = client.get(petition.get_absolute_url())
    assert second.content == first.content and asked == []


def test_a_process_without_a_copy_takes_the_one_another_process_stored(client, petition):
    first = client.get(petition.get_absolute_url())
    pagecache.forget()  # a second process: nothing of its own yet
    second = client.get(petition.get_absolute_url())
    assert second["ETag"] == first["ETag"]


def test_while_one_request_renders_the_others_keep_showing_the_copy_they_have(
    client, petition, django_assert_num_queries
):
    first = client.get(petition.get_absolute_url())
    key = only_key()
    expire_copies(key)
    assert cache.add(f"render:{key}", 1, 10)  # someone else is rendering it now
    with django_assert_num_queries(0):
        meanwhile = client.get(petition.get_absolute_url())
    assert meanwhile.content == first.content


def _stored_later(key: str, stored: dict, after: float) -> threading.Thread:
    """Another process finishing its render of `key` after `after` seconds."""
    later = threading.Thread(target=lambda: (time.sleep(after), cache.set(key, stored, 60)))
    later.start()
    return later


def _no_copy_while_another_renders(client, petition) -> tuple[str, dict]:
    """The page's key and the copy a render stores, after the copy is gone from this
    process (one that just started) and from the shared cache, while another request
    has claimed the next render."""
    client.get(petition.get_absolute_url())
    key = only_key()
    stored = cache.get(key)
    pagecache.forget()
    cache.delete(key)
    assert cache.add(f"render:{key}", 1, 10)
    return key, stored


def test_with_no_copy_anywhere_a_reader_waits_for_the_render_under_way(
    client, petition, django_assert_num_queries
):
    key, stored = _no_copy_while_another_renders(client, petition)
    later = _stored_later(key, stored, 0.2)
    with django_assert_num_queries(0):  # no second render
        meanwhile = client.get(petition.get_absolute_url())
    later.join()
    assert meanwhile.content == stored["body"]


def test_a_reader_renders_the_page_itself_when_the_render_under_way_takes_too_long(
    client, petition, monkeypatch
):
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 0.1)
    _no_copy_while_another_renders(client, petition)  # a render that never ends
    started = time.monotonic()
    assert client.get(petition.get_absolute_url()).status_code == 200
    assert time.monotonic() - started < 1


def test_a_reader_stops_waiting_when_the_render_under_way_keeps_nothing(
    client, petition, monkeypatch
):
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 5)
    key, _stored = _no_copy_while_another_renders(client, petition)
    # the render under way ends in an error page, which is not kept
    ended = threading.Timer(0.1, cache.delete, [f"render:{key}"])
    ended.start()
    started = time.monotonic()
    assert client.get(petition.get_absolute_url()).status_code == 200
    assert time.monotonic() - started < 2
    ended.join()


def test_readers_waiting_together_are_never_handed_a_copy_too_old_to_show(
    client, petition, monkeypatch
):
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 0.2)
    client.get(petition.get_absolute_url())
    key = only_key()
    stored, _fresh = pagecache._LOCAL[key]
    pagecache._LOCAL[key] = (stored, time.time() - stored["stale_seconds"] - 1)
    cache.delete(key)
    assert cache.add(f"render:{key}", 1, 10)  # a render that never ends
    path = petition.get_absolute_url()
    found = []
    readers = [
        threading.Thread(target=lambda: found.append(pagecache.lookup(key, path)[0]))
        for _ in range(3)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert found == [None, None, None]


def test_nobody_waits_for_a_page_the_cache_never_keeps(client, petition, monkeypatch):
    waited = []
    monkeypatch.setattr(pagecache, "_rendered_meanwhile", lambda key: waited.append(key))
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)  # always claimed
    client.get(petition.get_absolute_url())  # kept: it waits
    assert len(waited) == 1
    client.get(reverse("accounts:sign_in"))  # never kept
    client.get("/no-such-page/")
    assert len(waited) == 1


def test_the_request_that_renders_releases_its_claim_when_it_is_done(client, petition):
    client.get(petition.get_absolute_url())
    key = only_key()
    expire_copies(key)
    client.get(petition.get_absolute_url())  # renders and stores again
    assert cache.get(key) is not None
    assert cache.add(f"render:{key}", 1, 10), "the claim was left behind"


def test_a_copy_older_than_stale_while_revalidate_is_not_shown(
    client, petition, settings, monkeypatch
):
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 0.05)  # the claim is never let go
    client.get(petition.get_absolute_url())
    key = only_key()
    stored, _fresh = pagecache._LOCAL[key]
    pagecache._LOCAL[key] = (stored, time.time() - stored["stale_seconds"] - 1)
    cache.delete(key)
    cache.add(f"render:{key}", 1, 10)
    petition.title = "A new title, after a long while"
    petition.save()
    assert b"A new title, after a long while" in client.get(petition.get_absolute_url()).content


def test_a_browser_that_takes_gzip_gets_the_same_page_compressed(client, petition):
    plain = client.get(petition.get_absolute_url())
    packed = client.get(petition.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert packed["ETag"] != plain["ETag"]
    again = client.get(
        petition.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]
    )
    assert again.status_code == 304


@pytest.mark.parametrize("header", ["", "identity", "gzip;q=0", "br", "gzip; q=0.0"])
def test_a_client_that_refuses_gzip_gets_plain_bytes(client, petition, header):
    client.get(petition.get_absolute_url())
    response = client.get(petition.get_absolute_url(), HTTP_ACCEPT_ENCODING=header)
    assert not response.has_header("Content-Encoding")
    assert b"<html" in response.content


def test_a_crowd_of_query_strings_cannot_grow_a_process_copy_without_bound(client, petition):
    for number in range(pagecache.LOCAL_MAX + 20):
        pagecache._remember(f"page2:x:/{number}", {"expires": time.time() + 2})
    assert len(pagecache._LOCAL) == pagecache.LOCAL_MAX
