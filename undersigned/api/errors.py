"""One error shape for everything under /api/: {"error": {"code": …, "message": …}}.

Validation errors add "fields": {field name: [messages]}. Nothing under /api/ answers with
an HTML page: unknown paths, wrong methods, bad JSON and (should one happen) a crash all
come back in this shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django import forms
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from undersigned.lib.http import DATABASE_RETRY_AFTER as RETRY_AFTER
from undersigned.lib.http import json_error
from undersigned.signatures.forms import SignForm

logger = logging.getLogger(__name__)
REQUIRED = forms.Field.default_error_messages["required"]
# Clearer than pydantic's for fields whose rule is a pattern.
OUR_WORDS = {
    "reference": "Use 1 to 100 printable ASCII characters, without spaces.",
    "language": "Use a language code such as en or pt-br.",
    "target": "Use at most 150 characters.",
    "q": "Use at most 150 characters.",
}

CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


class ApiError(HttpError):
    """Raise from a view to answer with this status, code and message."""

    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(status, message)
        self.code, self.extra = code, extra


error_response = json_error


def field_errors(errors: list[dict]) -> dict[str, list[str]]:
    """Pydantic's errors by field name ("body" for the request body as a whole)."""
    fields: dict[str, list[str]] = {}
    for item in errors:
        name = _field_name(item.get("loc", ()))
        if item.get("type") == "missing":
            message = _required_message(name)
        else:
            message = OUR_WORDS.get(name) or item.get("msg", "Invalid value.")
        fields.setdefault(name, []).append(message)
    return fields


def _field_name(loc: tuple | list) -> str:
    """("body", "payload", "email") is "email"; ("query", "limit") is "limit"."""
    parts = [str(part) for part in loc]
    source = parts.pop(0) if parts else ""
    if source == "body" and parts:
        parts.pop(0)  # the view's parameter name
    return ".".join(parts) or "body"


def _required_message(name: str) -> str:
    # The sign form's own words for a missing field, so the API and the form agree.
    field = SignForm.base_fields.get(name)
    return str(field.error_messages["required"] if field else REQUIRED)


def install(api: NinjaAPI) -> None:
    """Replace ninja's default error responses with ours."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = field_errors(exc.errors)
        return error_response(400, "invalid", "Some fields are not valid.", fields=fields)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = error_response(exc.status_code, exc.code, exc.message, **exc.extra)
        if exc.status_code == 429:
            response["Retry-After"] = str(exc.extra.get("retry_after", 60))
        return response

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(401, "unauthorized", "Send a valid API key: Bearer <key>.")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(404, "not_found", "There is nothing here.")

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(413, "too_large", "The request body is too large.")

    @api.exception_handler(SuspiciousOperation)
    def refused(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # What Django answers outside the API (too many fields, a disallowed host...): a
        # 400 and one line on its security logger, not a 500 with a traceback.
        security = logging.getLogger(f"django.security.{type(exc).__name__}")
        security.error(str(exc), extra={"status_code": 400, "request": request})
        return error_response(400, "bad_request", "The request was not in a form we accept.")

    @api.exception_handler(Exception)
    def crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
        if isinstance(exc, OperationalError | InterfaceError):  # the database is down
            response = error_response(503, "unavailable", "Try again in a minute.")
            response["Retry-After"] = RETRY_AFTER
            return response
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "server_error", "Something went wrong on our side.")


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view under /api/: HEAD as GET, ninja's bare 405 as our shape, CORS open."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if head:
            request.method = "HEAD"
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = error_response(405, "method_not_allowed", f"Use {allow}.")
            response["Allow"] = allow
        response.setdefault("Access-Control-Allow-Origin", "*")
        response.setdefault("Cache-Control", "no-store")
        return response

    return wrapper


@json_errors
def not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return error_response(404, "not_found", "There is no such API address. See /api/v1/docs.")
