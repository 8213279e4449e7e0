"""The public log as JSON: checkpoints, entries, proofs and the signing keys.

Everything here is public and free of personal data, so responses carry
`Access-Control-Allow-Origin: *` and long cache lifetimes where they cannot change (a
numbered entry, a proof between fixed sizes). Bad parameters get a 4xx and
{"error": {"code": ..., "message": ...}}, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from undersigned.lib.methods import require_safe
from undersigned.petitions.models import Petition
from undersigned.transparency import keys
from undersigned.transparency.models import Checkpoint, Entry, LogHead, SigningKey
from undersigned.transparency.tree import StoredTree

PAGE = 1000  # entries or checkpoints per response, at most
FRESH_SECONDS = 10  # the latest checkpoint, a growing page
FIXED_SECONDS = 86400  # what can never change
NUMBER = re.compile(r"[0-9]{1,15}")
PUBLIC_STATES = [Petition.State.OPEN, Petition.State.CLOSED, Petition.State.REJECTED]


class BadParameter(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def error(status: int, code: str, message: str) -> JsonResponse:
    return respond({"error": {"code": code, "message": message}}, 0, status)


def respond(data: dict, max_age: int, status: int = 200) -> JsonResponse:
    cache = f"public, max-age={max_age}" if max_age else "no-cache"
    headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": cache}
    return JsonResponse(data, status=status, headers=headers)


def public_petition(pk: int) -> Petition | None:
    if pk >= 2**63:  # beyond any id, and beyond what SQLite can compare
        return None
    return Petition.objects.filter(pk=pk, state__in=PUBLIC_STATES).first()


def log_api(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """GET/HEAD only; the petition must be public; a BadParameter becomes a JSON error."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> JsonResponse:
        petition = public_petition(pk)
        if petition is None:
            return error(404, "no_such_petition", f"There is no public petition {pk}.")
        try:
            return view(request, petition)
        except BadParameter as bad:
            return error(bad.status, bad.code, bad.message)

    return wrapper


def number(request: HttpRequest, name: str, default: int | None = None) -> int:
    value = request.GET.get(name)
    if value is None and default is not None:
        return default
    if value is None or not NUMBER.fullmatch(value):
        raise BadParameter("bad_parameter", f"`{name}` must be a whole number from 0.")
    return int(value)


def sequenced_size(petition: Petition) -> int:
    return (
        LogHead.objects.filter(petition=petition).values_list("tree_size", flat=True).first() or 0
    )


def latest(petition: Petition) -> Checkpoint | None:
    checkpoints = Checkpoint.objects.filter(petition=petition).select_related("key")
    return checkpoints.order_by("-tree_size").first()


def checkpoint_json(checkpoint: Checkpoint) -> dict:
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "count": checkpoint.count,
        "time": checkpoint.created_at.isoformat().replace("+00:00", "Z"),
        "key": checkpoint.key.verifier_key,
        "note": checkpoint.note,
    }


@log_api
def latest_checkpoint(request: HttpRequest, petition: Petition) -> JsonResponse:
    checkpoint = latest(petition)
    if checkpoint is None:
        raise BadParameter("no_checkpoint", "This petition's log has no checkpoint yet.", 404)
    return respond(checkpoint_json(checkpoint), FRESH_SECONDS)


@log_api
def checkpoint_history(request: HttpRequest, petition: Petition) -> JsonResponse:
    """Oldest first, PAGE at a time: ?after=<tree size> continues where a page ended."""
    after = number(request, "after", default=0)
    rows = Checkpoint.objects.filter(petition=petition, tree_size__gt=after).select_related("key")
    page = list(rows.order_by("tree_size")[:PAGE])
    data: dict = {"checkpoints": [checkpoint_json(c) for c in page], "next": None}
    if len(page) == PAGE:
        url = reverse("transparency:checkpoints", args=[petition.pk])
        data["next"] = f"{url}?after={page[-1].tree_size}"
    return respond(data, FRESH_SECONDS)


@log_api
def entries(request: HttpRequest, petition: Petition) -> JsonResponse:
    """Numbered entries start <= index < end (at most PAGE), cut at the sequenced size."""
    start = number(request, "start", default=0)
    end = number(request, "end", default=start + PAGE)
    if end < start or end - start > PAGE:
        raise BadParameter("bad_range", f"Ask for 0 to {PAGE} entries: start <= end.")
    size = sequenced_size(petition)
    if start > size:
        raise BadParameter("beyond_log", f"The log has {size} entries.")
    rows = Entry.objects.filter(petition=petition, leaf_index__gte=start, leaf_index__lt=end)
    data = {
        "start": start,
        "end": min(end, size),
        "tree_size": size,
        "entries": [entry_json(e) for e in rows.order_by("leaf_index")],
    }
    return respond(data, FIXED_SECONDS if end <= size else FRESH_SECONDS)


def entry_json(entry: Entry) -> dict:
    return {
        "index": entry.leaf_index,
        "number": entry.leaf_index + 1,  # what the log page and receipts call it
        "id": entry.pk,
        "kind": entry.kind,
        "time_ms": entry.time_ms,
        "commitment": entry.commitment,
        "leaf": entry.leaf.decode(),
    }


def _tree_size(request: HttpRequest, petition: Petition, name: str) -> int:
    """A tree size asked for (by default the latest checkpoint's), within the log."""
    checkpoint = latest(petition)
    size = number(request, name, default=checkpoint.tree_size if checkpoint else 0)
    if size > sequenced_size(petition):
        raise BadParameter("beyond_log", f"`{name}` is larger than the log.")
    return size


@log_api
def inclusion_proof(request: HttpRequest, petition: Petition) -> JsonResponse:
    """?index=<leaf>&size=<tree size>: the RFC 9162 inclusion proof."""
    size = _tree_size(request, petition, "size")
    index = number(request, "index")
    if index >= size:
        raise BadParameter("beyond_tree", "`index` must be smaller than `size`.")
    tree = StoredTree(petition.pk, size)
    leaf_hash = tree.hashes([(index, index + 1)])[0]
    proof = tree.inclusion_proof(index)
    data = {"index": index, "tree_size": size, "leaf_hash": leaf_hash.hex()}
    return respond({**data, "proof": [h.hex() for h in proof]}, FIXED_SECONDS)


@log_api
def consistency_proof(request: HttpRequest, petition: Petition) -> JsonResponse:
    """?first=<size>&second=<size>: the RFC 9162 consistency proof."""
    second = _tree_size(request, petition, "second")
    first = number(request, "first")
    if first > second:
        raise BadParameter("bad_range", "`first` must not be larger than `second`.")
    proof = StoredTree(petition.pk, second).consistency_proof(first)
    data = {"first": first, "second": second, "proof": [h.hex() for h in proof]}
    return respond(data, FIXED_SECONDS)


@require_safe
def signing_keys(request: HttpRequest) -> JsonResponse:
    """Every key that has signed checkpoints, and the one signing now."""
    current = str(keys.current_verifier_key())
    listed = [
        {
            "verifier_key": key.verifier_key,
            "first_used": key.first_used_at.isoformat(),
            "last_used": key.last_used_at.isoformat(),
            "current": key.verifier_key == current,
        }
        for key in SigningKey.objects.order_by("first_used_at")
    ]
    if not any(key["current"] for key in listed):
        listed.append(
            {"verifier_key": current, "first_used": None, "last_used": None, "current": True}
        )
    return respond({"algorithm": "ed25519", "current": current, "keys": listed}, 300)
