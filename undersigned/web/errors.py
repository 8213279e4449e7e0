"""Error pages from our own templates, with the site's layout, for every 4xx and 500."""

from django.http import HttpRequest, HttpResponse

from undersigned.lib.http import error_page


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: the error may have come from them.
    from django.template.loader import get_template

    return HttpResponse(get_template("errors/500.html").render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, {"csrf": True})
