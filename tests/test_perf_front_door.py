"""The WSGI front door: cached public pages before Django, and fast 503s when overloaded."""

from __future__ import annotations

import io
import time

import pytest

from undersigned.lib import overload, pagecache
from undersigned.lib.health import FrontDoor


@pytest.fixture(autouse=True)
def _page_cache_on(settings, monkeypatch, tmp_path):
    settings.PAGE_CACHE_SECONDS = 2
    settings.VAR_DIR = tmp_path  # the machine-wide limit's slots: this test's own
    settings.OVERLOAD_QUEUE_MS = 500
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
    assert "Set-Cookie" not in answer.headers and "Cookie" not in answer.headers.get("Vary", "")


def test_a_matching_etag_gets_an_empty_304(client, petition):
    stored = client.get(petition.get_absolute_url())
    answer = Call()
    request = environ(petition.get_absolute_url(), HTTP_IF_NONE_MATCH=stored["ETag"])
    assert b"".join(FrontDoor(never)(request, answer)) == b""
    assert answer.status == "304 Not Modified"


@pytest.mark.parametrize("cookie", ["sessionid=abc", "messages=x", "django_language=fr"])
def test_a_visitor_with_a_session_or_a_language_choice_goes_to_django(client, petition, cookie):
    client.get(petition.get_absolute_url())
    answer = Call()
    request = environ(petition.get_absolute_url(), HTTP_COOKIE=cookie)
    assert FrontDoor(django_said_hello)(request, answer) == [b"from Django"]


def test_a_post_or_an_uncached_page_goes_to_django(client, petition):
    client.get(petition.get_absolute_url())
    post = environ(petition.get_absolute_url(), method="POST")
    assert FrontDoor(django_said_hello)(post, Call()) == [b"from Django"]
    other = environ(petition.get_absolute_url() + ".json")
    assert FrontDoor(django_said_hello)(other, Call()) == [b"from Django"]


def test_a_request_that_queued_too_long_gets_a_fast_503_with_retry_after(petition):
    answer = Call()
    stale = {overload.ENVIRON_KEY: f"{time.time() - 2:.6f}"}
    body = b"".join(FrontDoor(never)(environ("/petitions/1/sign", "POST", **stale), answer))
    assert answer.status.startswith("503") and answer.headers["Retry-After"]
    assert answer.headers["Cache-Control"] == "no-store" and b"<h1>" in body


def test_the_busy_page_speaks_the_visitors_language(petition):
    answer = Call()
    stale = {overload.ENVIRON_KEY: f"{time.time() - 2:.6f}", "HTTP_ACCEPT_LANGUAGE": "fr"}
    FrontDoor(never)(environ("/", **stale), answer)
    assert answer.status.startswith("503")


def test_a_request_served_in_time_goes_to_django():
    fresh = {overload.ENVIRON_KEY: f"{time.time():.6f}"}
    assert FrontDoor(django_said_hello)(environ("/x", **fresh), Call()) == [b"from Django"]


def test_an_overloaded_server_still_serves_cached_pages(client, petition):
    client.get(petition.get_absolute_url())
    answer = Call()
    stale = {overload.ENVIRON_KEY: f"{time.time() - 5:.6f}"}
    FrontDoor(never)(environ(petition.get_absolute_url(), **stale), answer)
    assert answer.status == "200 OK"


def test_a_client_cannot_make_itself_wait_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    old = {"HTTP_X_REQUEST_START": f"t={time.time() - 9:.3f}"}
    assert FrontDoor(django_said_hello)(environ("/x", **old), Call()) == [b"from Django"]


def test_a_proxy_stamp_in_milliseconds_counts_when_a_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    old = {"HTTP_X_REQUEST_START": f"t={int((time.time() - 9) * 1000)}"}
    answer = Call()
    FrontDoor(never)(environ("/x", **old), answer)
    assert answer.status.startswith("503")
    assert 8 < overload.waited(old) < 11


def test_the_worker_replaces_a_stamp_the_client_sent(monkeypatch):
    class Req:
        headers = [("HOST", "x"), (overload.QUEUED_HEADER, "1")]

    class Conn:
        undersigned_queued_at = 1234.5

    seen = {}
    monkeypatch.setattr(
        overload.ThreadWorker, "handle_request", lambda self, req, conn: seen.update(h=req.headers)
    )
    worker = object.__new__(overload.QueueTimedWorker)
    worker.handle_request(Req(), Conn())
    assert seen["h"] == [("HOST", "x"), (overload.QUEUED_HEADER, "1234.500000")]


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
    from undersigned.lib import pagecache

    request = environ(petition.get_absolute_url())
    FrontDoor(django_said_hello)(request, Call())
    assert request[pagecache.CLAIM_KEY]  # the middleware renders without looking again


def test_a_process_with_its_limit_of_requests_in_django_answers_the_next_busy(settings):
    settings.OVERLOAD_IN_FLIGHT = 1
    meanwhile = Call()

    def slow(environ_, start_response):
        # While this request is inside Django another one arrives.
        door(environ("/petitions/1/sign", "POST"), meanwhile)
        return django_said_hello(environ_, start_response)

    door = FrontDoor(slow)
    first = Call()
    assert b"".join(door(environ("/petitions/1/sign", "POST"), first)) == b"from Django"
    assert first.status == "200 OK" and meanwhile.status.startswith("503")
    assert door.in_flight.count == 0  # and the next one goes in again
    door.app = django_said_hello
    assert b"".join(door(environ("/petitions/1/sign", "POST"), Call())) == b"from Django"


def test_beyond_the_limit_the_answer_is_a_fast_503(settings):
    settings.OVERLOAD_IN_FLIGHT = 1
    door = FrontDoor(never)
    door.in_flight.count = 1  # one request is inside Django already
    answer = Call()
    body = b"".join(door(environ("/petitions/1/sign", "POST"), answer))
    assert answer.status.startswith("503") and answer.headers["Retry-After"]
    assert b"<html" in body.lower() and door.in_flight.count == 1


def test_no_limit_when_it_is_turned_off(settings):
    settings.OVERLOAD_IN_FLIGHT = 0
    door = FrontDoor(django_said_hello)
    door.in_flight.count = 1000
    answer = Call()
    assert b"".join(door(environ("/x", "POST"), answer)) == b"from Django"


def test_a_request_refused_as_busy_gives_up_the_render_it_claimed(client, petition, settings):
    from django.core.cache import cache

    from undersigned.lib import pagecache

    settings.OVERLOAD_IN_FLIGHT = 1
    door = FrontDoor(never)
    door.in_flight.count = 1
    request = environ(petition.get_absolute_url())
    answer = Call()
    door(request, answer)
    assert answer.status.startswith("503")
    assert cache.add(f"render:{request[pagecache.CLAIM_KEY]}", 1, 5), "the claim was kept"
