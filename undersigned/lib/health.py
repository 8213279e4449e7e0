"""Health check and database-outage handling: fail fast with a 503, recover by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.cache import never_cache

from undersigned.lib import overload

RETRY_AFTER = "30"
BUSY_RETRY_AFTER = "2"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        response["Retry-After"] = RETRY_AFTER
        return response
    return JsonResponse({"status": "ok", "database": "up"})


def unavailable(request: HttpRequest) -> HttpResponse:
    # No context processors: they may need the database that just failed.
    html = render_to_string("errors/503.html", {})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseOutageMiddleware:
    """A database that is down or restarting gets a quick 503 with Retry-After, not a 500.

    Nothing is acknowledged to a signer before its row is committed, so a 503 never
    hides a lost signature: the signer is told to try again. Connections are dropped so
    the next request reconnects once the database is back, without a restart.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):
            return unavailable(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Django closes a broken connection when the request finishes; the next request
        # opens a fresh one, so the site recovers by itself once the database is back.
        if isinstance(exception, OperationalError | InterfaceError):
            return unavailable(request)
        return None


class FrontDoor:
    """The WSGI app around Django (undersigned/wsgi.py): cached pages first, then load
    shedding by expected wait (lib/overload.py), then Django."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.busy_pages: dict[str, bytes] = {}
        self.admission = overload.Admission()

    def __call__(self, environ: dict, start_response: Callable):
        from undersigned.lib import pagecache

        hit = pagecache.cached_for_environ(environ)
        if hit is not None:
            status, headers, body = hit
            start_response(status, headers)
            return [body]
        # A client may not say how long it waited: only a proxy of ours may.
        queued = overload.waited(environ) if settings.TRUSTED_PROXY_COUNT else 0.0
        limit = settings.OVERLOAD_QUEUE_MS / 1000
        with self.admission.enter(settings.OVERLOAD_RUNNING, limit, queued) as admitted:
            if not admitted:
                pagecache.release(environ)
                return self.busy(environ, start_response)
            return self.app(environ, start_response)

    def busy(self, environ: dict, start_response: Callable):
        """503 + Retry-After, in the visitor's language, rendered once per language."""
        from undersigned.lib.pagecache import variant_language

        language = variant_language(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
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
