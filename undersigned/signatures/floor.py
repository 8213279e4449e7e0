"""The benchmark's floor: the least a sign request can do, behind the same middleware.

Only routed when BENCH_FLOOR=1 (see urls.py). `make bench` compares the real sign view
with this one in the same run, so the ratio means something on a noisy machine.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from undersigned.lib.methods import require_POST
from undersigned.signatures.models import Signature


@csrf_exempt
@require_POST
def floor_sign(request: HttpRequest, pk: int) -> HttpResponse:
    email = request.POST.get("email") or f"{uuid.uuid4().hex}@floor.invalid"
    Signature.objects.create(
        petition_id=pk, name=request.POST.get("name", ""), email=email,
        email_normalized=f"floor-{uuid.uuid4().hex}", country=request.POST.get("country", ""),
    )  # fmt: skip
    response = HttpResponse(status=303)
    response["Location"] = f"/petitions/{pk}/signed"
    return response
