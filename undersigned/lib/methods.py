"""Django's method decorators, marked so the 405 can be answered before the CSRF check.

Each behaves exactly like its twin in django.views.decorators.http (same 405, same log
line) and also sets `allowed_methods` on the view it returns. AllowedMethodsMiddleware
reads that mark: without it, CsrfViewMiddleware, which runs before any decorator, would
answer a POST to a GET-only page with a 403 instead of a 405.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.views.decorators import http


def require_http_methods(request_method_list: Iterable[str]) -> Callable[[Callable], Callable]:
    methods = list(request_method_list)
    mark = frozenset(method.upper() for method in methods)
    django_decorator = http.require_http_methods(methods)

    def decorator(func: Callable) -> Callable:
        view = django_decorator(func)  # functools.wraps keeps csrf_exempt and the like
        # Stacked method decorators: a request must get past every one of them.
        inner = getattr(func, "allowed_methods", None)
        view.allowed_methods = mark & inner if inner is not None else mark
        return view

    return decorator


require_GET = require_http_methods(["GET"])
require_GET.__doc__ = "Decorator to require that a view only accepts the GET method."

require_POST = require_http_methods(["POST"])
require_POST.__doc__ = "Decorator to require that a view only accepts the POST method."

require_safe = require_http_methods(["GET", "HEAD"])
require_safe.__doc__ = "Decorator to require that a view only accepts safe methods: GET and HEAD."
