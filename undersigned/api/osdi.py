"""A read-only OSDI view (Open Supporter Data Interface, HAL+JSON) of petitions and their
public signatures, for organizing tools that speak it. Coverage: docs/api.md.

Signatures carry only what the petition page shows: a signer who did not choose to be
shown is counted in `total_signatures` but never listed, and no person resource exists.
They are listed like the API's public signers (api/signers.py): by day, then by name, with
the day and never the time, and an opaque id rather than the row's, whose order would tell
when each was made.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse

from undersigned.api.errors import error_response, json_errors
from undersigned.api.schemas import MAX_ID, PAGE_MAX
from undersigned.api.signers import at, public_signers
from undersigned.lib import sealed
from undersigned.lib.publictime import day_of
from undersigned.petitions.models import Petition
from undersigned.signatures.actions import count_for
from undersigned.signatures.models import Signature

HAL = "application/hal+json"
CURIES = [
    {"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}
]
MAX_AGE = 30
COUNT_SECONDS = 60
SIGNATURE_ID = "osdi.signature"  # the purpose signature ids are sealed for


def _href(name: str, *args) -> dict[str, str]:
    return {"href": settings.SITE_URL + reverse(f"osdi:{name}", args=args)}


def hal(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        data, status=status, content_type=HAL, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def _get_only(view):
    @json_errors
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method != "GET":
            response = error_response(405, "method_not_allowed", "Use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        pk = kwargs.get("pk", 1)
        if not 1 <= pk <= MAX_ID:
            return error_response(404, "not_found", "There is nothing here.")
        return view(request, *args, **kwargs)

    return wrapper


def _paging(request: HttpRequest) -> tuple[int, int]:
    page, per_page = request.GET.get("page", "1"), request.GET.get("per_page", "25")
    if not (page.isdigit() and per_page.isdigit()) or len(page) > 6:
        raise ValueError
    page_number, size = int(page), int(per_page)
    if page_number < 1 or not 1 <= size <= PAGE_MAX:
        raise ValueError
    return page_number, size


def _collection(request, name: str, rows, count: int, embed, link_args=(), pick=None):
    """A page of `rows`; `pick(rows, start, size)` takes it when slicing would not do."""
    try:
        page, size = _paging(request)
    except ValueError:
        return error_response(400, "invalid", f"page ≥ 1 and 1 ≤ per_page ≤ {PAGE_MAX}.")
    start = (page - 1) * size
    picked = pick(rows, start, size) if pick else rows[start : start + size]
    items = [embed(row) for row in picked]
    base = _href(name, *link_args)["href"]
    links = {"self": {"href": f"{base}?page={page}&per_page={size}"}, "curies": CURIES}
    if page * size < count:
        links["next"] = {"href": f"{base}?page={page + 1}&per_page={size}"}
    if page > 1:
        links["prev"] = {"href": f"{base}?page={page - 1}&per_page={size}"}
    rel = f"osdi:{name}"
    links[rel] = [item["_links"]["self"] for item in items]
    return hal(
        {
            "total_pages": max(1, -(-count // size)),
            "per_page": size,
            "page": page,
            "total_records": count,
            "_links": links,
            "_embedded": {rel: items},
        }
    )


def _cached_count(key: str, rows) -> int:
    count = cache.get(key)
    if count is None:
        count = rows.count()
        cache.set(key, count, COUNT_SECONDS)
    return count


def petition_resource(petition: Petition, count: int) -> dict:
    return {
        "identifiers": [f"undersigned:{petition.pk}"],
        "origin_system": settings.SITE_NAME,
        "created_date": petition.created_at.isoformat(),
        "modified_date": petition.updated_at.isoformat(),
        "title": petition.title,
        "name": petition.slug,
        "description": petition.text_html,
        "petition_text": petition.text,
        "browser_url": petition.absolute_url(),
        "total_signatures": count,
        "target": [{"name": str(target)} for target in petition.targets.all()],
        "_links": {
            "self": _href("petition", petition.pk),
            "osdi:signatures": _href("signatures", petition.pk),
        },
    }


def opaque_id(signature: Signature) -> str:
    """An id for the OSDI view that tells nothing, unlike the row id, whose order does."""
    return sealed.seal(signature.pk.to_bytes(8, "big"), SIGNATURE_ID)


def signature_resource(signature: Signature) -> dict:
    confirmed = day_of(signature.confirmed_at).isoformat()  # only public signers: confirmed
    opaque = opaque_id(signature)
    return {
        "identifiers": [f"undersigned:{opaque}"],
        "origin_system": settings.SITE_NAME,
        "created_date": confirmed,
        "modified_date": confirmed,
        "comments": signature.comment,
        "custom_fields": {"public_name": signature.public_name, "country": str(signature.country)},
        "_links": {
            "self": _href("signature", signature.petition_id, opaque),
            "osdi:petition": _href("petition", signature.petition_id),
        },
    }


@_get_only
def entry_point(request: HttpRequest) -> JsonResponse:
    return hal(
        {
            "motd": f"{settings.SITE_NAME}: petitions and their public signatures (read only).",
            "vendor_name": "Undersigned",
            "product_name": "Undersigned",
            "osdi_version": "1.1",
            "max_pagesize": PAGE_MAX,
            "namespace": "undersigned",
            "_links": {
                "curies": CURIES,
                "self": _href("entry_point"),
                "osdi:petitions": {**_href("petitions"), "title": "Petitions"},
            },
        }
    )


@_get_only
def petitions(request: HttpRequest) -> JsonResponse:
    rows = Petition.objects.listed().prefetch_related("targets").order_by("-id")
    count = _cached_count("osdi:petitions", rows)
    return _collection(
        request, "petitions", rows, count, lambda p: petition_resource(p, p.signature_count)
    )


def _listed(pk: int) -> Petition | None:
    return Petition.objects.listed().prefetch_related("targets").filter(pk=pk).first()


def _no_petition() -> JsonResponse:
    return error_response(404, "not_found", "There is no open or closed petition with this id.")


@_get_only
def petition(request: HttpRequest, pk: int) -> JsonResponse:
    found = _listed(pk)
    return hal(petition_resource(found, count_for(found))) if found else _no_petition()


@_get_only
def signatures(request: HttpRequest, pk: int) -> JsonResponse:
    if _listed(pk) is None:
        return _no_petition()
    rows = public_signers(pk)
    count = _cached_count(f"osdi:signatures:{pk}", rows)
    return _collection(request, "signatures", rows, count, signature_resource, [pk], at)


@_get_only
def signature(request: HttpRequest, pk: int, signature_id: str) -> JsonResponse:
    found = None
    try:
        signature_pk = int.from_bytes(sealed.unseal(signature_id[:100], SIGNATURE_ID), "big")
    except sealed.Unsealable:
        signature_pk = None
    if signature_pk is not None and signature_pk <= MAX_ID and _listed(pk) is not None:
        found = public_signers(pk).filter(pk=signature_pk).first()
    if found is None:
        return error_response(404, "not_found", "There is no public signature with this id.")
    return hal(signature_resource(found))


app_name = "osdi"
urlpatterns = [
    path("", entry_point, name="entry_point"),
    path("petitions", petitions, name="petitions"),
    path("petitions/<int:pk>", petition, name="petition"),
    path("petitions/<int:pk>/signatures", signatures, name="signatures"),
    path("petitions/<int:pk>/signatures/<str:signature_id>", signature, name="signature"),
]
