"""Public petition pages: home, list and search, a petition as HTML and as JSON."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language

from undersigned.lib.http import public_page
from undersigned.lib.methods import require_safe
from undersigned.petitions.hooks import region_counts, signature_count
from undersigned.petitions.models import LANGUAGE_CHOICES, NEW_DAYS, Petition
from undersigned.petitions.similar import as_item, similar_petitions


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    open_ = Petition.objects.open_for_signing().select_related("creator")
    # A petition nobody has signed yet is not "most signed": it is new, and needs support.
    signed = open_.filter(signature_count__gt=0).most_signed().prefetch_related("targets")
    most_signed = list(signed[:6])
    new = open_.needing_support(timezone.now()).exclude(pk__in=[p.pk for p in most_signed])
    context = {
        "most_signed": most_signed,
        "newest": new.prefetch_related("targets")[:6],
        "new_days": NEW_DAYS,
        "any_open": bool(most_signed) or open_.exists(),
    }
    return render(request, "petitions/home.html", context)


@require_safe
@public_page
def petition_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "open")
    petitions = Petition.objects.listed().select_related("creator").prefetch_related("targets")
    if state in {"open", "closed"}:
        petitions = petitions.filter(state=state)
    if query:
        petitions = petitions.search(query)
    ordered = petitions.most_signed() if request.GET.get("sort") != "newest" else petitions.newest()
    page = Paginator(ordered, 20).get_page(request.GET.get("page"))
    return render(request, "petitions/list.html", {"page": page, "query": query, "state": state})


def load_visible(request: HttpRequest, pk: int) -> Petition:
    """The petition, if this visitor may see it: drafts only to their creator and staff."""
    visible = Petition.objects.visible_to(request.user).select_related("creator")
    return get_object_or_404(visible, pk=pk)


def petition_page(
    request: HttpRequest, petition: Petition, form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    """The petition's page. Its signers' parts (count, sign form, recent signers) are
    drawn by signatures' template tags; `form` is a sign form refused for its errors,
    which signatures/views.py passes back to be shown with them (status 400)."""
    context = {
        "petition": petition,
        "targets": list(petition.targets.all()),
        "accepts_signatures": petition.accepts_signatures(timezone.now()),
        # The byline gives the closing date only while the petition is open.
        "open_until": petition.closes_at if petition.state == Petition.State.OPEN else None,
        "can_manage": petition.can_edit(request.user)
        or (request.user.is_authenticated and request.user.is_staff),
        "can_view_dashboard": petition.can_view_dashboard(request.user),
        # Marked by a moderator as asking what another petition asks (moderation/views.py).
        "duplicate_of": _shown_original(petition),
        # Share links carry ?source=; campaigns elsewhere often only utm_source. A sign
        # form shown again for its errors keeps the one it was posted with.
        "source": (
            request.POST.get("source")
            or request.GET.get("source")
            or request.GET.get("utm_source", "")
        )[:64],
        **_languages(request, petition),
    }
    if form is not None:
        context["form"] = form
    return render(request, "petitions/detail.html", context, status=status)


def _shown_original(petition: Petition) -> Petition | None:
    if petition.duplicate_of_id is None:
        return None
    return Petition.objects.listed().filter(pk=petition.duplicate_of_id).first()


def _languages(request: HttpRequest, petition: Petition) -> dict:
    """The text in the visitor's language (or ?lang=), and links to the other versions."""
    wanted = request.GET.get("lang") or get_language()
    shown, title, html = petition.in_language(wanted)
    names = dict(LANGUAGE_CHOICES)
    versions = [petition.language, *(t.language for t in petition.translations.all())]
    return {
        "shown_language": shown,
        "shown_title": title,
        "shown_html": html,
        "other_versions": [(code, names.get(code, code)) for code in versions if code != shown],
    }


@require_safe
@public_page
def detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """The petition's page at its canonical address. Any other address of it (the bare
    id, a slug from an earlier title, a mistyped one) is a permanent redirect there, with
    the query kept (?source=, ?lang=), so that only one address is cached and indexed."""
    petition = load_visible(request, pk)
    if slug != petition.slug:
        query = request.META.get("QUERY_STRING", "")
        address = petition.get_absolute_url() + (f"?{query}" if query else "")
        return HttpResponsePermanentRedirect(address)
    return petition_page(request, petition)


@require_safe
@public_page
def count_block(request: HttpRequest, pk: int) -> HttpResponse:
    """The count block alone, in the visitor's language: petition.js fetches it again
    while the page is visible, so every number stays in the right plural form."""
    petition = get_object_or_404(Petition.objects.listed(), pk=pk)
    context = {"petition": petition, "count": signature_count(petition)}
    response = render(request, "petitions/count.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@public_page
def detail_json(request: HttpRequest, pk: int) -> JsonResponse:
    petition = get_object_or_404(Petition.objects.listed().prefetch_related("targets"), pk=pk)
    count = signature_count(petition)
    return JsonResponse(
        {
            "id": petition.pk,
            "title": petition.title,
            "state": petition.state,
            "url": petition.absolute_url(),
            "signature_count": count,
            "goal": petition.goal_for(count),
            "organizer_goal": petition.goal,
            "language": petition.language,
            "targets": [{"name": t.name, "role": t.role} for t in petition.targets.all()],
            "text": petition.text,
            "text_html": petition.text_html,
            "translations": [
                {"language": t.language, "title": t.title, "text_html": t.text_html}
                for t in petition.translations.all()
            ],
            "opened_at": petition.opened_at,
            "closes_at": petition.closes_at,
            "closed_at": petition.closed_at,
            # Counted signatures by region of its scheme (signatures/regions.py).
            "regions": region_counts(petition),
            "duplicate_of": petition.duplicate_of_id,
        },
        json_dumps_params={"ensure_ascii": False},
        headers={"Access-Control-Allow-Origin": "*"},
    )


@require_safe
@public_page
def similar_json(request: HttpRequest) -> JsonResponse:
    """Petitions like the title being typed, for the petition form's script (authoring.js
    asks after each pause in typing; without it, the form shows them once submitted).
    ?title= (required), ?exclude= the id of the petition being edited."""
    title = request.GET.get("title", "")
    exclude = request.GET.get("exclude", "")
    if not exclude.isdigit() or len(exclude) > 18:
        exclude = ""
    found = similar_petitions(title, exclude=int(exclude) if exclude else None)
    return JsonResponse(
        {"petitions": [as_item(petition) for petition in found]},
        json_dumps_params={"ensure_ascii": False},
    )
