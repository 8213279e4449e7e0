"""What views need of HTTP: the site's error pages and JSON error shape, and small
decorators that state a view's contract (same-origin POSTs, public cacheable pages,
framing, moderators only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

# Seconds a client is asked to wait when the database is down.
DATABASE_RETRY_AFTER = "30"
MESSAGES = {
    400: "The request was not in a form we accept.",
    413: "The request body is larger than this site accepts.",
}


def json_error(status: int, code: str, message: str, **extra) -> JsonResponse:
    """The API's one error shape: {"error": {"code": …, "message": …}}."""
    body = {"error": {"code": code, "message": message, **extra}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def error_page(request: HttpRequest, status: int, context: dict | None = None) -> HttpResponse:
    """The site's page for this status, or the API's JSON shape under /api/."""
    if request.path.startswith("/api/") and status in MESSAGES:
        code = {400: "bad_request", 413: "too_large"}[status]
        return json_error(status, code, MESSAGES[status])
    html = render_to_string(f"errors/{status}.html", context or {}, request=request)
    return HttpResponse(html, status=status)


def same_origin_post(view):
    """CSRF protection for anonymous forms on cacheable pages (sign, confirm, withdraw).

    Those pages carry no per-visitor token, so they can be served from a cache. Browsers
    send Origin (and Sec-Fetch-Site) with every POST: a cross-site one is refused. A client
    that sends neither is not a browser that another site could have steered.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and not _same_origin(request):
            return error_page(request, 403)
        return view(request, *args, **kwargs)

    return wrapper


def _same_origin(request: HttpRequest) -> bool:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if not origin:
        return True
    if origin == "null":
        return False
    allowed = {urlsplit(settings.SITE_URL).netloc, request.get_host()}
    return urlsplit(origin).netloc in allowed


def see_other(to: str, *args, **kwargs) -> HttpResponse:
    """303 See Other: after a POST, the browser GETs the next page (never re-POSTs).

    `to` is a URL name with its arguments, or a path (used as it is, without trying to
    reverse it first)."""
    if to.startswith("/") and not (args or kwargs):
        return HttpResponseRedirect(to, status=303)
    response = redirect(to, *args, **kwargs)
    response.status_code = 303
    return response


# A visitor with a session or a message waiting gets a private page. A language choice
# (its cookie) does not: it is part of the page cache's key, and public pages say
# `Vary: Accept-Language, Cookie`, so browsers and shared caches keep one copy per choice
# (visitors without cookies, nearly all of a reading crowd, still share one).
PRIVATE_COOKIES = {settings.SESSION_COOKIE_NAME, "messages"}


def is_anonymous(request: HttpRequest) -> bool:
    return request.method in {"GET", "HEAD"} and not PRIVATE_COOKIES & request.COOKIES.keys()


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's anonymous responses as public and cacheable."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_anonymous(request):
            return view(request, *args, **kwargs)
        # Never touch the session for these visitors: no session cookie is set.
        request.user = AnonymousUser()
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response.public_cache = True  # type: ignore[attr-defined]
            patch_vary_headers(response, ("Cookie",))  # the language choice, see above
        return response

    # Outer decorators copy it (functools.wraps): the page cache asks it of the URL's
    # view before waiting for another request's render (web/pagecache.py).
    wrapper.public_page = True  # type: ignore[attr-defined]
    return wrapper


def allow_framing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let any site put this view's responses in an <iframe>: no X-Frame-Options and
    `frame-ancestors *`. Every other response keeps DENY / 'none'."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        response.frame_anywhere = True  # type: ignore[attr-defined]
        return response

    return wrapper


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Moderators only: others are sent to sign in, or shown a 403 if signed in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            # Moderators sign in with a password: their page, not the organizers' link form.
            return redirect_to_login(request.get_full_path(), "accounts:staff_sign_in")
        if not request.user.is_staff:
            return error_page(request, 403)
        return view(request, *args, **kwargs)

    return wrapper
