"""Serve public pages from memory to visitors who have no session.

A viral petition is read by a crowd reloading it to watch the count. For anyone without a
session or message cookie the page is the same, so the first render is kept for
PAGE_CACHE_SECONDS and handed out as stored bytes before any other middleware runs. The
response says `Cache-Control: public` with an ETag, so a reverse proxy or CDN can absorb
the rest. Views opt in with @public_page; everything else passes through untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date
from django.utils.translation import get_language_from_request

from undersigned.signatures.forms import country_from_accept_language

# A visitor who chose a language (cookie) gets a private page: shared caches key public
# pages by Accept-Language only, and must not hand that choice to anyone else.
PRIVATE_COOKIES = {settings.SESSION_COOKIE_NAME, "messages", settings.LANGUAGE_COOKIE_NAME}
STORED_HEADERS = (
    "Content-Type", "Content-Language", "Vary", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "X-Frame-Options", "Access-Control-Allow-Origin",
    "Content-Security-Policy",
)  # fmt: skip


def is_anonymous(request: HttpRequest) -> bool:
    return request.method in {"GET", "HEAD"} and not PRIVATE_COOKIES & request.COOKIES.keys()


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's anonymous responses as public and cacheable."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_anonymous(request):
            return view(request, *args, **kwargs)
        # Never touch the session for these visitors: no cookie, no `Vary: Cookie`.
        request.user = AnonymousUser()
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response.public_cache = True  # type: ignore[attr-defined]
        return response

    return wrapper


def _key(request: HttpRequest) -> str:
    language = get_language_from_request(request)
    country = country_from_accept_language(request.headers.get("Accept-Language", ""))
    return f"page:{language}:{country}:{request.get_full_path()}"


def _respond(request: HttpRequest, stored: dict) -> HttpResponse:
    if request.headers.get("If-None-Match") == stored["etag"]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(stored["body"])
    for name, value in stored["headers"].items():
        response[name] = value
    response["ETag"] = stored["etag"]
    response["Last-Modified"] = stored["modified"]
    response["Cache-Control"] = stored["cache_control"]
    return response


class PublicPageCacheMiddleware:
    """Outermost middleware: answer from the cache, or store what @public_page marked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not is_anonymous(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            return _respond(request, stored)
        response = self.get_response(request)
        if not getattr(response, "public_cache", False) or response.streaming:
            return response
        body = response.content
        stored = {
            "body": body,
            "etag": '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"',
            "modified": http_date(),
            "cache_control": f"public, max-age={seconds}, stale-while-revalidate={seconds * 15}",
            "headers": {h: response[h] for h in STORED_HEADERS if response.has_header(h)},
        }
        cache.set(key, stored, seconds)
        return _respond(request, stored)
