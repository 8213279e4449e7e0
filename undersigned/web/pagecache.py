"""Serve public pages from memory to visitors who have no session.

A viral petition is read by a crowd reloading it to watch the count. For anyone without a
session or message cookie the page is the same, so the first render is kept for
PAGE_CACHE_SECONDS and handed out as stored bytes before any other middleware runs. The
response says `Cache-Control: public` with an ETag, so a reverse proxy or CDN can absorb
the rest. Views opt in with @public_page; everything else passes through untouched.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.urls import Resolver404, resolve
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.http import http_date
from django.utils.translation import get_language_from_request

from undersigned.lib.countries import country_from_accept_language
from undersigned.lib.http import PRIVATE_COOKIES, is_anonymous
from undersigned.lib.logredact import LINK_PREFIXES
from undersigned.lib.periods import aligned_timeout, same_period

# Every header of the rendered page is kept, so a copy carries the same security headers
# (HSTS, CSP, Permissions-Policy...) as the render, whatever middleware adds them; except
# these, which belong to one response and are made afresh for each reader.
PER_RESPONSE_HEADERS = {
    "cache-control", "content-encoding", "content-length", "date", "etag", "expires",
    "last-modified", "set-cookie",
}  # fmt: skip
# Pages whose address holds a secret (a sign-in, confirmation, withdrawal... link) are
# never looked up or kept: their key alone would carry the secret into the cache.
SECRET_PATH = re.compile(r"/(?:" + "|".join(map(re.escape, LINK_PREFIXES)) + r")/")


def is_cacheable(request: HttpRequest) -> bool:
    return is_anonymous(request) and not SECRET_PATH.match(request.path_info)


def _key(request: HttpRequest) -> str:
    accept_language = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return _key_for(accept_language, chosen, request.scheme, request.get_full_path())


@lru_cache(maxsize=512)
def _variant(accept_language: str, chosen: str = "") -> str:
    """The language and default country a visitor gets: from the language they chose
    (its cookie), else from the browser's header."""

    class Bare:  # what get_language_from_request reads of a request
        COOKIES = {settings.LANGUAGE_COOKIE_NAME: chosen} if chosen else {}
        META = {"HTTP_ACCEPT_LANGUAGE": accept_language}

    return f"{get_language_from_request(Bare())}:{country_from_accept_language(accept_language)}"


def variant_language(accept_language: str, chosen: str = "") -> str:
    return _variant(accept_language[:200], chosen[:16]).split(":", 1)[0]


def _key_for(accept_language: str, chosen: str, scheme: str, full_path: str) -> str:
    """The cache key of a page: its variant and a hash of its address.

    Never the address itself: a key that long makes Django warn, and a warning quotes the
    key. The scheme is in it because an https page carries HSTS, and an http request must
    reach SecurityMiddleware's redirect to https, not a copy made for https.
    """
    address = hashlib.blake2b(f"{scheme}:{full_path}".encode(), digest_size=16).hexdigest()
    return f"page3:{_variant(accept_language[:200], chosen[:16])}:{address}"


def _scheme(environ: dict) -> str:
    """HttpRequest.scheme, read from the environ as Django reads it."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return environ.get("wsgi.url_scheme", "http")


def cached_for_environ(environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """Before Django: the stored answer for this WSGI request, if there is one.

    The same key and bytes as PublicPageCacheMiddleware, without building a request,
    running middleware or sending signals (undersigned/wsgi.py). None: ask Django, and
    tell the middleware (through the environ) what was found, so it does not look again.
    """
    if not settings.PAGE_CACHE_SECONDS or environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
        return None
    cookies = parse_cookie(environ["HTTP_COOKIE"]) if environ.get("HTTP_COOKIE") else {}
    if PRIVATE_COOKIES & cookies.keys():
        return None
    path_info = get_path_info(environ)
    if SECRET_PATH.match(path_info):
        return None
    path = escape_uri_path(get_script_name(environ) + path_info)
    query = environ.get("QUERY_STRING", "")
    if query:
        path = f"{path}?{iri_to_uri(query)}"
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    key = _key_for(environ.get("HTTP_ACCEPT_LANGUAGE", ""), chosen, _scheme(environ), path)
    stored, claimed = lookup(key, path_info)
    if stored is None:
        environ[CLAIM_KEY] = key if claimed else ""
        return None
    body, etag, encoding = _variant_of(stored, environ.get("HTTP_ACCEPT_ENCODING", ""))
    headers = [
        *stored["headers"].items(),
        ("ETag", etag),
        ("Last-Modified", stored["modified"]),
        ("Cache-Control", stored["cache_control"]),
    ]
    if environ.get("HTTP_IF_NONE_MATCH") == etag:
        return "304 Not Modified", [h for h in headers if h[0] != "Content-Type"], b""
    if encoding:
        headers.append(("Content-Encoding", encoding))
    headers.append(("Content-Length", str(len(body))))
    return "200 OK", headers, body


# The first level: each process keeps the pages it served, as key -> (stored, fresh until).
# A hit costs a dict lookup instead of a round trip to Redis that moves the whole page
# (25 KB) for every reader; the shared cache is asked again only when the copy expires,
# and all copies expire at the same wall-clock moment (aligned_timeout).
_LOCAL: dict[str, tuple[dict, float]] = {}
LOCAL_MAX = 512
# In the WSGI environ: the front door looked already, and the key it claimed ("": none).
CLAIM_KEY = "undersigned.page_claim"
RENDER_LOCK_SECONDS = 5
# How long a reader waits for the render another request claimed, and how often it looks.
RENDER_WAIT_SECONDS = 1.0
RENDER_POLL_SECONDS = 0.01
_WATCHED: dict[str, threading.Event] = {}  # pages this process waits for, set when stored
_WATCH_LOCK = threading.Lock()


def forget() -> None:
    """Drop this process's copies (tests clear the shared cache between cases)."""
    _LOCAL.clear()


def _remember(key: str, stored: dict) -> None:
    if len(_LOCAL) >= LOCAL_MAX:  # many query strings: forget the oldest
        _LOCAL.pop(next(iter(_LOCAL)), None)
    _LOCAL[key] = (stored, stored["expires"])


def lookup(key: str, path_info: str) -> tuple[dict | None, bool]:
    """The stored page for `key` and whether this request claimed its render.

    When no fresh copy exists anywhere, one request renders it (it claims the key with
    an atomic add) and every other request keeps showing the copy its process has,
    within stale-while-revalidate: at each expiry the crowd costs one render, not one
    per waiting thread — renders are what make readers wait in a surge.
    """
    now = time.time()
    local = _LOCAL.get(key)
    if local is not None and now < local[1]:
        return local[0], False
    stored = cache.get(key)
    if stored is not None:
        _remember(key, stored)
        return stored, False
    claimed = cache.add(f"render:{key}", 1, RENDER_LOCK_SECONDS)
    if not claimed and local is not None and now < local[1] + local[0]["stale_seconds"]:
        return local[0], False
    if not claimed and _kept(path_info) and (stored := _rendered_meanwhile(key)) is not None:
        return stored, False
    return None, claimed


def _kept(path_info: str) -> bool:
    """Whether the page at this path is one the cache keeps (its view is @public_page):
    no reader waits for a copy of a page that is never stored."""
    try:
        return getattr(resolve(path_info).func, "public_page", False)
    except Resolver404:
        return False


def _rendered_meanwhile(key: str) -> dict | None:
    """The copy another request is rendering, once it is stored; None if that request
    stored nothing or took longer than RENDER_WAIT_SECONDS (this one then renders it).

    With no copy anywhere (a process that just started, a page nobody read for a while),
    a crowd would otherwise render the page once per reader, all at once, each render
    slowing the others, and the first sign requests would wait behind them. Waiting here
    takes no place in Django (web/shedding.py). One thread per process and page asks the
    shared cache; the others wait for it to say."""
    with _WATCH_LOCK:
        watched = _WATCHED.get(key)
        watcher = watched is None
        if watcher:
            watched = _WATCHED[key] = threading.Event()
    if not watcher:
        watched.wait(RENDER_WAIT_SECONDS)
        local = _LOCAL.get(key)
        return local[0] if local is not None and time.time() < local[1] else None
    try:
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(RENDER_POLL_SECONDS)
            found = cache.get_many([key, f"render:{key}"])
            if key in found:
                _remember(key, found[key])
                return found[key]
            if f"render:{key}" not in found:  # done, and not kept (a 404, an error)
                return None
        return None
    finally:
        with _WATCH_LOCK:
            del _WATCHED[key]
        watched.set()


def release(environ: dict) -> None:
    """Give up the render the front door claimed, for a request that will not render
    (refused as busy): otherwise every reader would see the old copy until the claim
    expired."""
    if environ.get(CLAIM_KEY):
        cache.delete(f"render:{environ[CLAIM_KEY]}")


def _accepts_gzip(header: str) -> bool:
    for item in header.split(","):
        coding, _sep, params = item.strip().partition(";")
        if coding.strip().lower() in {"gzip", "*"}:
            return params.replace(" ", "").lower() not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def _variant_of(stored: dict, accept_encoding: str) -> tuple[bytes, str, str]:
    """Body, ETag and Content-Encoding for a visitor: gzip when the browser takes it
    (every browser does), compressed once per render instead of once per reader."""
    if stored["gzip"] is not None and _accepts_gzip(accept_encoding):
        return stored["gzip"], stored["etag"][:-1] + '-gz"', "gzip"
    return stored["body"], stored["etag"], ""


def _respond(request: HttpRequest, stored: dict) -> HttpResponse:
    body, etag, encoding = _variant_of(stored, request.headers.get("Accept-Encoding", ""))
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body)
        if encoding:
            response["Content-Encoding"] = encoding
    for name, value in stored["headers"].items():
        response[name] = value
    response["ETag"] = etag
    response["Last-Modified"] = stored["modified"]
    response["Cache-Control"] = stored["cache_control"]
    return response


def _store(key: str, response: HttpResponse, seconds: int, started: float) -> dict:
    """Keep the rendered page for the rest of this period, unless another is kept already.

    Under load several processes render the same page at once, and the one that began
    first (and read an older count) may finish last. So the first copy stored in a period
    is the one everybody is shown, and a render that began in an earlier period is shown
    to its own reader only when nothing newer is stored: a reader moving between
    processes never sees the count go down and up."""
    body = response.content
    timeout = aligned_timeout(seconds)
    headers = {h: v for h, v in response.items() if h.lower() not in PER_RESPONSE_HEADERS}
    small = len(body) < 1024
    if not small:  # the stored copy may be sent either way: caches must keep both apart
        headers["Vary"] = ", ".join(filter(None, (headers.get("Vary"), "Accept-Encoding")))
    stored = {
        "body": body,
        "gzip": None if small else gzip.compress(body, 6, mtime=0),
        "etag": '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"',
        "modified": http_date(),
        "cache_control": f"public, max-age={seconds}, stale-while-revalidate={seconds * 15}",
        "headers": headers,
        "expires": time.time() + timeout,
        "stale_seconds": seconds * 15,
    }
    if same_period(started, seconds) and cache.add(key, stored, timeout):
        _remember(key, stored)
        return stored
    return cache.get(key) or stored


class PublicPageCacheMiddleware:
    """Outermost middleware: answer from the cache, or store what @public_page marked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not is_cacheable(request):
            return self.get_response(request)
        key = _key(request)
        if CLAIM_KEY in request.META:  # the front door looked and found nothing
            claimed = bool(request.META[CLAIM_KEY])
        else:
            stored, claimed = lookup(key, request.path_info)
            if stored is not None:
                return _respond(request, stored)
        started = time.time()
        try:
            response = self.get_response(request)
            if not getattr(response, "public_cache", False) or response.streaming:
                return response
            return _respond(request, _store(key, response, seconds, started))
        finally:
            if claimed:
                cache.delete(f"render:{key}")
