"""The WSGI application around Django: cached pages first, then load shedding."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http.cookie import parse_cookie
from django.template.loader import render_to_string
from django.utils import translation

from undersigned.web import pagecache, shedding
from undersigned.web.pagecache import variant_language

BUSY_RETRY_AFTER = "2"


class FrontDoor:
    """The WSGI app around Django (undersigned/wsgi.py): cached pages first, then load
    shedding by expected wait (web/shedding.py), then Django."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.busy_pages: dict[str, bytes] = {}
        self.admission = shedding.Admission()

    def __call__(self, environ: dict, start_response: Callable):

        hit = pagecache.cached_for_environ(environ)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            return [body]
        # A client may not say how long it waited: only a proxy of ours may.
        queued = shedding.waited(environ) if settings.TRUSTED_PROXY_COUNT else 0.0
        limit = settings.OVERLOAD_QUEUE_MS / 1000
        with self.admission.enter(settings.OVERLOAD_RUNNING, limit, queued) as admitted:
            if not admitted:
                pagecache.release(environ)
                return self.busy(environ, start_response)
            return self.app(environ, start_response)

    def busy(self, environ: dict, start_response: Callable):
        """503 + Retry-After, in the visitor's language, rendered once per language."""
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = variant_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""), chosen)
        body = self.busy_pages.get(language)
        if body is None:
            with translation.override(language):
                body = render_to_string("errors/busy.html", {}).encode()
            self.busy_pages[language] = body
        start_response(
            "503 Service Unavailable",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
             ("Retry-After", BUSY_RETRY_AFTER), ("Cache-Control", "no-store")],
        )  # fmt: skip
        return [body]
