"""Turn the bare error responses Django makes outside views into our own pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.log import log_response

from undersigned.lib.http import error_page


def too_many_fields(query: str) -> bool:
    """Whether parsing this query string would raise TooManyFieldsSent (counted the way
    urllib.parse.parse_qsl counts them)."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return bool(query) and limit is not None and query.count("&") + 1 > limit


# The one form that takes a file: a petition's picture (sharing/views.py). A file up to
# twice its limit still reaches the form, which says how large a picture may be; anything
# larger gets the 413 page unread.
PICTURE_UPLOAD = re.compile(r"/petitions/[0-9]+/picture")


def is_picture_upload(request: HttpRequest, length: int) -> bool:
    fits = length <= 2 * settings.PICTURE_MAX_BYTES + 64 * 1024
    return fits and request.method == "POST" and bool(PICTURE_UPLOAD.fullmatch(request.path))


class BadRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_page(request, 400)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and not is_picture_upload(request, length):
            return error_page(request, 413)
        # A NUL byte can be in no text we store or search (PostgreSQL refuses it outright).
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query or "\x00" in request.path:
            return error_page(request, 400)
        if too_many_fields(query):
            # Refused here, before any view or middleware parses request.GET and Django
            # raises TooManyFieldsSent in some place that turns it into a 500.
            return error_page(request, 400)
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            allow = response.get("Allow", "")
            response = error_page(request, 405)
            response["Allow"] = allow
        return response


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The embeddable widget (sharing/views.py: embed) is the one page any site may frame.
EMBEDDABLE_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: a strict CSP (no inline script or
    style anywhere, so no nonces and pages stay cacheable) and a closed Permissions-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The admin ships small inline scripts and styles of its own; staff only.
        if not request.path.startswith("/admin/"):
            embeddable = getattr(response, "frame_anywhere", False)
            policy = EMBEDDABLE_POLICY if embeddable else CONTENT_SECURITY_POLICY
            response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class AllowedMethodsMiddleware:
    """Answer a method the view does not take (its `allowed_methods`, set by
    undersigned.lib.methods) with a 405 before CsrfViewMiddleware can answer 403.

    Views that take the method are left to the CSRF check as before. The 405 is the one
    the decorator would give; BadRequestMiddleware turns it into our page on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        allowed = getattr(view_func, "allowed_methods", None)
        if allowed is None or request.method in allowed:
            return None
        response = HttpResponseNotAllowed(sorted(allowed))
        log_response(
            "Method Not Allowed (%s): %s",
            request.method,
            request.path,
            response=response,
            request=request,
        )
        if request.path.startswith("/api/"):
            # Every answer under /api/ is JSON: json_errors gives a bare 405 that shape.
            from undersigned.api.errors import json_errors

            return json_errors(lambda request: response)(request)
        return response
