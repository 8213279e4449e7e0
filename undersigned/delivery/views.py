"""Delivery packs, the contact list and paper sheets, for the creator and editors only.

Anyone else — viewers, moderators, strangers — gets a 404, as everywhere an organizer's
page would reveal something: signers' names and addresses leave the site only through
these views, and each download is logged.
"""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from undersigned.delivery import actions
from undersigned.delivery.exports import contact_signatures, signers_csv
from undersigned.delivery.forms import PaperSheetForm
from undersigned.delivery.models import DeliveryPack, Download, PaperSheet
from undersigned.delivery.packs import BOM
from undersigned.lib.http import error_page, see_other
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.petitions.access import EDITOR, load_for_organizer
from undersigned.petitions.models import Petition

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _load(request: HttpRequest, pk: int) -> Petition:
    return load_for_organizer(request, pk, need=EDITOR, staff=False)


def _panel(petition: Petition) -> str:
    return reverse("dashboard:delivery", args=[petition.pk])


@require_POST
@login_required
def request_pack(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(request, pk)
    choice = request.POST.get("target", "all")
    target = None
    if choice != "all":
        target = petition.targets.filter(pk=choice).first() if choice.isdigit() else None
        if target is None:
            return error_page(request, 400)
    pack = actions.request_pack(petition, target, request.user)
    if pack.state == DeliveryPack.State.READY:
        messages.success(request, _("The delivery pack is ready to download."))
    elif pack.state == DeliveryPack.State.FAILED:
        messages.error(request, _("The delivery pack could not be made. Please try again."))
    else:
        messages.info(
            request,
            _(
                "The delivery pack is being prepared in the background. It takes a few "
                "minutes for a large petition: reload this page to see when it is ready."
            ),
        )
    return see_other(_panel(petition))


@require_safe
@login_required
def download_pack(request: HttpRequest, pk: int, pack_id: int, kind: str) -> HttpResponse:
    petition = _load(request, pk)
    if kind not in CONTENT_TYPES:
        raise Http404
    pack = get_object_or_404(
        DeliveryPack, pk=pack_id, petition=petition, state=DeliveryPack.State.READY
    )
    try:
        # From the shared storage: the worker that wrote it may be on another machine.
        file = pack.open_file(kind)  # FileResponse streams and closes it
    except FileNotFoundError:
        raise Http404 from None
    actions.log_download(petition, request.user, kind, pack=pack)
    response = FileResponse(file, as_attachment=True, filename=pack.filename(kind))
    response["Content-Type"] = CONTENT_TYPES[kind]
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def download_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(request, pk)
    rows = contact_signatures(petition).count()
    actions.log_download(petition, request.user, Download.Kind.CONTACTS, rows=rows)
    stream = chain([BOM], signers_csv(petition, contactable=True))
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES["csv"])
    filename = f"contacts-{petition.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def paper_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(request, pk)
    form = PaperSheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sheet = actions.record_paper_sheet(petition, form.entry(), request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s paper signature from %(country)s is recorded.",
                "%(count)s paper signatures from %(country)s are recorded.",
                sheet.count,
            )
            % {"count": intcomma(sheet.count), "country": sheet.country.name},
        )
        return see_other("delivery:paper", petition.pk)
    sheets = PaperSheet.objects.of(petition).select_related("recorded_by", "updated_by")
    context = {"petition": petition, "form": form, "sheets": sheets, "summary": sheets.summary()}
    return render(request, "delivery/paper.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_paper_sheet(request: HttpRequest, pk: int, sheet_id: int) -> HttpResponse:
    petition = _load(request, pk)
    sheet = get_object_or_404(PaperSheet, pk=sheet_id, petition=petition)
    form = PaperSheetForm(request.POST or None, instance=sheet)
    if request.method == "POST" and form.is_valid():
        actions.change_paper_sheet(sheet, form.entry(), request.user)
        messages.success(request, _("The paper sheet is changed."))
        return see_other("delivery:paper", petition.pk)
    return render(
        request, "delivery/paper_edit.html", {"petition": petition, "form": form, "sheet": sheet}
    )


@require_POST
@login_required
def delete_paper_sheet(request: HttpRequest, pk: int, sheet_id: int) -> HttpResponse:
    petition = _load(request, pk)
    sheet = get_object_or_404(PaperSheet, pk=sheet_id, petition=petition)
    actions.delete_paper_sheet(sheet)
    messages.success(request, _("The paper sheet is deleted."))
    return see_other("delivery:paper", petition.pk)
