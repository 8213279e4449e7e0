"""The regions a signer can choose from, as JSON: the sign form's script asks for them
when the signer picks another country (without script the form itself offers them)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from undersigned.lib.http import json_error, public_page
from undersigned.lib.methods import require_safe
from undersigned.regions import lookups


@require_safe
@public_page
def choices(request: HttpRequest, scheme: str, country: str) -> JsonResponse:
    if lookups.scheme_named(scheme) is None:
        return json_error(404, "not_found", "There is no such region scheme.")
    found = lookups.region_choices(scheme, country.upper())
    return JsonResponse({"country": country.upper(), "choices": found})
