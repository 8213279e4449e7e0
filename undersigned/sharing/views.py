"""The share image, the poster, the QR code and the embeddable widget."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from undersigned.lib.http import allow_framing, public_page
from undersigned.lib.methods import require_safe
from undersigned.petitions.models import Petition
from undersigned.sharing import image, poster
from undersigned.sharing.links import petition_url
from undersigned.signatures.actions import count_for
from undersigned.signatures.forms import SignForm, country_from_accept_language


def _listed(pk: int) -> Petition:
    """Open and closed petitions only: drafts, rejected and hidden ones are a 404 here
    whoever asks (these addresses end up on other sites)."""
    return get_object_or_404(Petition.objects.listed(), pk=pk)


@require_safe
def share_image(request: HttpRequest, pk: int) -> HttpResponse:
    card = image.share_image(_listed(pk))
    if request.headers.get("If-None-Match") == card.etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(card.png, content_type="image/png")
    response["ETag"] = card.etag
    response["Cache-Control"] = f"public, max-age={card.max_age}"
    return response


@require_safe
def qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    response = HttpResponse(poster.qr_svg(_listed(pk)), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def poster_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone may print the poster of an open petition; of a closed one only the people
    who run it (for their records). Drafts and the like have none: a 404."""
    petition = _listed(pk)
    public = petition.state == Petition.State.OPEN
    if not public and not petition.can_view_dashboard(request.user):
        raise Http404
    response = HttpResponse(poster.poster_pdf(petition), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="petition-{petition.pk}-poster.pdf"'
    seconds = settings.SHARE_IMAGE_SECONDS
    response["Cache-Control"] = f"public, max-age={seconds}" if public else "private, no-store"
    return response


@require_safe
@allow_framing
@public_page
def embed(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _listed(pk)
    count = count_for(petition)
    accepts = petition.accepts_signatures(timezone.now())
    with_form = request.GET.get("form") == "1" and accepts
    country = country_from_accept_language(request.headers.get("Accept-Language", ""))
    context = {
        "petition": petition,
        "count": count,
        "accepts_signatures": accepts,
        "with_form": with_form,
        "form": SignForm(initial={"country": country}) if with_form else None,
        "petition_url": petition_url(petition, "embed"),
        "source": "embed",
    }
    return render(request, "sharing/embed.html", context)
