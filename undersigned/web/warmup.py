"""Do at start-up what the first requests of a process would otherwise do.

Django imports the URLconf (and with it every view, form and model module), compiles
templates and regular expressions and loads translation catalogues lazily, on the first
request that needs them. A server that has just started (or restarted a worker) under
load would make the first few requests on each process wait for all of that. None of
this queries the database, so it is safe before anything is migrated; a PostgreSQL
connection pool (lib/env.py) starts opening its first connections in the background.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import validate_email
from django.template.loader import get_template
from django.urls import get_resolver, reverse
from django.utils import translation

# The pages a surge is made of: the petition page, its sign form and the answers to a sign.
TEMPLATES = (
    "petitions/detail.html",
    "petitions/list.html",
    "signatures/signed.html",
    "signatures/confirm.html",
    "signatures/not_open.html",
)


def warm_up() -> None:
    from django.db import connection

    from undersigned.signatures.forms import SignForm

    if connection.vendor == "postgresql":
        # Created on first use (None without DATABASE_POOL_SIZE); it fills in the background.
        connection.pool  # noqa: B018
    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    validate_email("warm-up@example.org")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("signatures:signed", kwargs={"pk": 1})
            str(SignForm())  # the widgets' templates and this language's country list
    for name in TEMPLATES:
        get_template(name)
