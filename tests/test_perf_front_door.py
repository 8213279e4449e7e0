"""The WSGI front door: cached public pages before Django (shedding: test_shedding.py)."""

from __future__ import annotations

import io

import pytest

from undersigned.web import pagecache
from undersigned.web.frontdoor import FrontDoor


@pytest.fixture(autouse=True)
def _page_cache_on(settings, monkeypatch, tmp_path):
    settings.PAGE_CACHE_SECONDS = 2
    # A render that straddles the end of a period is not kept (test_count_never_backwards);
    # these tests need the first render kept, however slow the machine.
    monkeypatch.setattr(pagecache, "same_period", lambda started, seconds: True)


def environ(path: str, method: str = "GET", **extra) -> dict:
    return {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http", **extra,
    }  # fmt: skip


class Call:
    """start_response, remembering what it was given."""

    def __call__(self, status, headers):
        self.status, self.headers = status, dict(headers)


def never(environ, start_response):
    raise AssertionError("Django was asked")


def django_said_hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"from Django"]


def test_it_answers_a_cached_public_page_without_asking_django(client, petition):
    stored = client.get(petition.get_absolute_url())  # the middleware stores it
    answer = Call()
    body = b"".join(FrontDoor(never)(environ(petition.get_absolute_url()), answer))
    assert answer.status == "200 OK" and body == stored.content
    assert answer.headers["Cache-Control"].startswith("public, max-age=2")
    assert answer.headers["ETag"] == stored["ETag"] and "Last-Modified" in answer.headers
    assert answer.headers["Content-Length"] == str(len(body))
    assert "Set-Cookie" not in answer.headers and "Cookie" in answer.headers["Vary"]


def test_a_matching_etag_gets_an_empty_304(client, petition):
    stored = client.get(petition.get_absolute_url())
    answer = Call()
    request = environ(petition.get_absolute_url(), HTTP_IF_NONE_MATCH=stored["ETag"])
    assert b"".join(FrontDoor(never)(request, answer)) == b""
    assert answer.status == "304 Not Modified"


@pytest.mark.parametrize("cookie", ["sessionid=abc", "messages=x"])
def test_a_visitor_with_a_session_or_a_message_goes_to_django(client, petition, cookie):
    client.get(petition.get_absolute_url())
    answer = Call()
    request = environ(petition.get_absolute_url(), HTTP_COOKIE=cookie)
    assert FrontDoor(django_said_hello)(request, answer) == [b"from Django"]


def test_a_language_choice_is_answered_from_its_own_copy(client, petition, settings):
    client.get(petition.get_absolute_url())  # the English copy
    answer = Call()
    request = environ(petition.get_absolute_url(), HTTP_COOKIE="django_language=fr")
    assert FrontDoor(django_said_hello)(request, answer) == [b"from Django"]  # no fr copy yet
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(petition.get_absolute_url())
    request = environ(petition.get_absolute_url(), HTTP_COOKIE="django_language=fr")
    body = b"".join(FrontDoor(never)(request, Call()))
    assert body == french.content and b'lang="fr"' in body


def test_a_post_or_an_uncached_page_goes_to_django(client, petition):
    client.get(petition.get_absolute_url())
    post = environ(petition.get_absolute_url(), method="POST")
    assert FrontDoor(django_said_hello)(post, Call()) == [b"from Django"]
    other = environ(petition.get_absolute_url() + ".json")
    assert FrontDoor(django_said_hello)(other, Call()) == [b"from Django"]


def test_it_answers_gzip_to_a_browser_that_takes_it(client, petition):
    import gzip

    stored = client.get(petition.get_absolute_url())
    answer = Call()
    request = environ(petition.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
    body = b"".join(FrontDoor(never)(request, answer))
    assert answer.headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == stored.content
    assert answer.headers["Content-Length"] == str(len(body))
    assert "Accept-Encoding" in answer.headers["Vary"]


def test_a_miss_is_looked_up_once_and_the_render_claimed_for_django(client, petition):
    from undersigned.web import pagecache

    request = environ(petition.get_absolute_url())
    FrontDoor(django_said_hello)(request, Call())
    assert request[pagecache.CLAIM_KEY]  # the middleware renders without looking again
