"""The share image, the poster, the QR code, the embeddable widget and the picture."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.lib.http import allow_framing, error_page, public_page, see_other, staff_only
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.petitions.access import EDITOR, load_for_organizer
from undersigned.petitions.models import Petition
from undersigned.sharing import actions, image, poster
from undersigned.sharing.forms import PictureDecisionForm, PictureForm
from undersigned.sharing.links import petition_url
from undersigned.sharing.models import Picture
from undersigned.sharing.pictures import FORMATS
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
        "form": SignForm(initial={"country": country}, region_scheme=petition.region_scheme)
        if with_form
        else None,
        "petition_url": petition_url(petition, "embed"),
        "source": "embed",
    }
    return render(request, "sharing/embed.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def picture(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or replace the picture. Decoded and resized in the request (about a second for
    a 12-megapixel photo): organizers upload rarely and wait for the result anyway, and a
    file we cannot use must come back as an error on this form, not fail in a worker."""
    petition = load_for_organizer(request, pk, need=EDITOR, staff=False)
    form = PictureForm(request.POST, request.FILES) if request.method == "POST" else PictureForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = actions.replace_picture(petition, data["image"], data["alt"], request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = _("The picture is on the petition page.")
            if added.status == Picture.Status.PENDING:
                done = _(
                    "Thank you: a moderator will look at the new picture, usually within "
                    "a day. Until then the petition keeps its current one."
                )
            messages.success(request, done)
            return see_other(reverse("sharing:picture", args=[petition.pk]))
    pictures = {p.status: p for p in petition.pictures.all()}
    context = {
        "petition": petition,
        "form": form,
        "shown": pictures.get(Picture.Status.SHOWN),
        "pending": pictures.get(Picture.Status.PENDING),
        "reviewed": petition.state in actions.REVIEWED_STATES,
        "max_size": settings.PICTURE_MAX_BYTES,
    }
    return render(request, "sharing/picture.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def picture_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Organizers who may edit, and moderators, take the picture down (never held)."""
    petition = load_for_organizer(request, pk, need=EDITOR)
    if actions.remove_picture(petition):
        messages.success(request, _("The picture is removed."))
    if petition.can_edit(request.user):
        return see_other(reverse("sharing:picture", args=[petition.pk]))
    return see_other(reverse("moderation:review", args=[petition.pk]))


@require_safe
def picture_file(request: HttpRequest, petition: int, name: str) -> HttpResponse:
    """One of a picture's files, streamed from the storage (whichever backend it is).
    Its name changes with every upload, so it may be cached for a year; the names are
    random, so a draft's picture is only seen by those shown its page."""
    try:
        stream = default_storage.open(f"pictures/{petition}/{name}", "rb")
    except OSError as missing:  # FileNotFoundError, or the backend's equivalent
        raise Http404 from missing
    response = FileResponse(stream, content_type=FORMATS[name.rsplit(".", 1)[1]][1])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@staff_only
def picture_queue(request: HttpRequest) -> HttpResponse:
    """New pictures of public petitions, oldest first, each beside the one it replaces."""
    waiting = list(Picture.objects.awaiting_review().select_related("petition", "uploaded_by")[:50])
    shown = {
        p.petition_id: p
        for p in Picture.objects.shown().filter(petition__in=[w.petition_id for w in waiting])
    }
    rows = [(picture, shown.get(picture.petition_id)) for picture in waiting]
    return render(request, "sharing/picture_queue.html", {"rows": rows})


@require_POST
@staff_only
def picture_decision(request: HttpRequest, pk: int) -> HttpResponse:
    form = PictureDecisionForm(request.POST)
    if not form.is_valid():
        return error_page(request, 400)
    approve = form.cleaned_data["decision"] == "approve"
    if actions.decide_picture(pk, request.user, approve) is None:
        messages.info(request, _("That picture was no longer waiting: nothing changed."))
    elif approve:
        messages.success(request, _("Approved: the new picture is on the petition page."))
    else:
        messages.success(request, _("Refused: the petition keeps its current picture."))
    return see_other(reverse("sharing:picture_queue"))
