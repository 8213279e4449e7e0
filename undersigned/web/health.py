"""Health check and database-outage handling: fail fast with a 503, recover by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from undersigned.lib.http import DATABASE_RETRY_AFTER as RETRY_AFTER


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
