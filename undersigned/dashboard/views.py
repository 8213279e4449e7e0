"""The dashboard of one petition, for the people who run it, and its co-organizers.

Someone with no role on the petition gets a 404, as everywhere else; a co-organizer whose
role does not allow an action gets a 403, since they know the petition exists.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.gzip import gzip_page

from undersigned.accounts.forms import SignInForm
from undersigned.dashboard import actions, charts, stats
from undersigned.dashboard.forms import InviteForm, RoleForm
from undersigned.lib import links
from undersigned.lib.http import see_other
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.petitions import supporters
from undersigned.petitions.access import CREATOR, VIEWER, load_for_organizer
from undersigned.petitions.models import Organizer, Petition
from undersigned.signatures.actions import count_for

# The map is an image: it may use the inline styles pygal writes, and nothing else.
MAP_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _load(request: HttpRequest, pk: int, need: str = VIEWER) -> Petition:
    petition = load_for_organizer(request, pk, need=VIEWER)  # no role at all: 404
    if need == CREATOR and petition.role_of(request.user) != CREATOR:
        raise PermissionDenied
    return petition


# The dashboard's sections, in the order of its navigation: (URL name, label). Each is a
# page of its own, so a section can be bookmarked, shared with a co-organizer and reached
# without JavaScript, and no page carries the others' weight.
SECTIONS = [
    ("petition", _lazy("Overview")),
    ("signatures", _lazy("Signatures")),
    ("updates", _lazy("Updates")),
    ("decision_makers", _lazy("Decision makers")),
    ("delivery", _lazy("Delivery")),
    ("sharing", _lazy("Sharing")),
    ("organizers", _lazy("Co-organizers")),
]


def _section(
    request: HttpRequest,
    petition: Petition,
    section: str,
    extra: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """One section of the dashboard, under the header and navigation they all share."""
    nav = [
        (label, reverse(f"dashboard:{name}", args=[petition.pk]), name == section)
        for name, label in SECTIONS
    ]
    role = petition.role_of(request.user)
    context = {
        "petition": petition,
        "role": role,
        "can_edit": role in {CREATOR, Organizer.Role.EDITOR},  # Petition.can_edit, asked once
        "sections": nav,
        "section_label": dict(SECTIONS)[section],
        **(extra or {}),
    }
    template = "dashboard/overview.html" if section == "petition" else f"dashboard/{section}.html"
    return render(request, template, context, status=status)


@require_safe
@login_required
def petition_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """The overview: the figures and milestones, first thing."""
    petition = _load(request, pk)
    count = count_for(petition)
    figures = stats.figures_for(petition)
    extra = {"count": count, "goal": petition.goal_for(count), "figures": figures,
             "supporters_required": supporters.required(),
             "support_url": supporters.support_url(petition)
             if petition.state in supporters.SUPPORTING else ""}  # fmt: skip
    return _section(request, petition, "petition", extra)


@require_safe
@login_required
def signatures(request: HttpRequest, pk: int) -> HttpResponse:
    """Over time, by country (sortable by links) and by referral source."""
    petition = _load(request, pk)
    figures = stats.figures_for(petition)
    sort, descending = stats.country_order(request.GET.get("sort", ""))
    extra = {
        "figures": figures,
        "countries": stats.sort_countries(figures.countries, sort, descending),
        "sort": sort,
        "descending": descending,
        "charts": _charts(figures),
        "time_zone": settings.TIME_ZONE,
    }
    return _section(request, petition, "signatures", extra)


def _charts(figures: stats.Figures) -> dict:
    return {
        "hourly": charts.bar_chart(
            figures.hourly, chart_id="chart-hourly", title=_("Confirmed signatures per hour"),
            description=_("A bar per hour, for the last 48 hours, oldest on the left. "
                          "The table below the chart gives every hour."),
        ),
        "daily": charts.bar_chart(
            figures.daily, chart_id="chart-daily", title=_("Confirmed signatures per day"),
            description=_("A bar per day since the petition opened, oldest on the left. "
                          "The table below the chart gives every day with signatures."),
            min_slots=30,
        ),
    }  # fmt: skip


# The next four sections are each drawn by the app that owns them, through its tag.
@require_safe
@login_required
def updates(request: HttpRequest, pk: int) -> HttpResponse:
    return _section(request, _load(request, pk), "updates")


@require_safe
@login_required
def decision_makers(request: HttpRequest, pk: int) -> HttpResponse:
    return _section(request, _load(request, pk), "decision_makers")


@require_safe
@login_required
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    return _section(request, _load(request, pk), "delivery")


@require_safe
@login_required
def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    return _section(request, _load(request, pk), "sharing")


@require_safe
@login_required
@gzip_page
def world_map(request: HttpRequest, pk: int) -> HttpResponse:
    """The choropleth as an SVG image (about 800 kB, 250 kB compressed), drawn once per
    refresh of the figures and language."""
    petition = _load(request, pk)
    figures = stats.figures_for(petition)
    key = f"dashboard:map:{petition.pk}:{figures.computed_at.timestamp()}:{get_language()}"
    svg = cache.get(key)
    if svg is None:
        svg = charts.world_map_svg(figures.countries)
        cache.set(key, svg, max(settings.DASHBOARD_CACHE_SECONDS, 1))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = MAP_POLICY
    response["Cache-Control"] = f"private, max-age={settings.DASHBOARD_CACHE_SECONDS}"
    return response


@require_safe
@login_required
def organizers(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(request, pk)
    return _organizers_page(request, petition, InviteForm(petition=petition))


def _organizers_page(
    request: HttpRequest, petition: Petition, form: InviteForm, status: int = 200
) -> HttpResponse:
    rows = list(petition.organizers.select_related("user"))
    now = timezone.now()
    role = petition.role_of(request.user)
    context = {
        "is_creator": role == CREATOR,
        # Viewers are promised no one's e-mail address: they see names only. Staff reach
        # this page as moderators, who see addresses elsewhere anyway.
        "shows_addresses": role in {CREATOR, Organizer.Role.EDITOR} or request.user.is_staff,
        "accepted": [row for row in rows if row.accepted_at],
        "pending": [
            (row, expires, expires < now)
            for row in rows
            if not row.accepted_at and (expires := actions.invitation_expires_at(row))
        ],
        "form": form,
        "role_choices": [("editor", _("editor")), ("viewer", _("viewer"))],
        "days": settings.ORGANIZER_INVITE_DAYS,
    }
    return _section(request, petition, "organizers", context, status)


@require_POST
@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _load(request, pk, need=CREATOR)
    form = InviteForm(request.POST, petition=petition)
    if not form.is_valid():
        return _organizers_page(request, petition, form, status=400)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    try:
        actions.invite_organizer(petition, email, role, request.user, get_language() or "en")
    except actions.CannotInvite as error:
        form.add_error("email", str(error))
        return _organizers_page(request, petition, form, status=400)
    messages.success(request, _("We have e-mailed an invitation to %(email)s.") % {"email": email})
    return see_other("dashboard:organizers", pk=petition.pk)


@require_POST
@login_required
def change_role(request: HttpRequest, pk: int, organizer_pk: int) -> HttpResponse:
    petition = _load(request, pk, need=CREATOR)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose editor or viewer."))
        return _organizers_page(request, petition, InviteForm(petition=petition), status=400)
    if not actions.change_organizer_role(petition, organizer_pk, form.cleaned_data["role"]):
        raise Http404
    messages.success(request, _("The role has been changed."))
    return see_other("dashboard:organizers", pk=petition.pk)


@require_POST
@login_required
def remove(request: HttpRequest, pk: int, organizer_pk: int) -> HttpResponse:
    petition = _load(request, pk, need=CREATOR)
    if not actions.remove_organizer(petition, organizer_pk):
        raise Http404
    messages.success(request, _("Done: that person no longer helps run this petition."))
    return see_other("dashboard:organizers", pk=petition.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET explains and asks to sign in (or shows a button); only the POST accepts."""
    try:
        organizer, secret = actions.check_invitation(token)
        if not request.user.is_authenticated:
            return _sign_in_first(request, organizer)
        if request.method != "POST":
            if actions.normalize_address(request.user.email) != organizer.email:
                raise actions.WrongAccount(organizer)
            return render(request, "dashboard/invitation.html", {"organizer": organizer})
        organizer = actions.accept_invitation(organizer, secret, request.user)
    except actions.WrongAccount as error:
        context = {"organizer": error.organizer}
        return render(request, "dashboard/invitation_wrong_account.html", context, status=403)
    except links.LinkError as error:
        return _invitation_link_page(request, error)
    messages.success(
        request, _("You now help run “%(title)s”.") % {"title": organizer.petition.title}
    )
    return see_other("dashboard:petition", pk=organizer.petition_id)


def _sign_in_first(request: HttpRequest, organizer) -> HttpResponse:
    form = SignInForm(initial={"email": organizer.email, "next": request.path})
    context = {"organizer": organizer, "form": form, "minutes": settings.SIGN_IN_LINK_MINUTES}
    return render(request, "dashboard/invitation_sign_in.html", context)


def _invitation_link_page(request: HttpRequest, error: links.LinkError) -> HttpResponse:
    """Only the person who invited can send a new invitation: the pages say so."""
    if error.kind == links.MALFORMED:
        title = _("This invitation link does not work")
        text = [
            _("If it is complete, the invitation may have been cancelled."),
            _("Ask the person who invited you to send a new invitation from the petition’s "
              "dashboard."),
        ]  # fmt: skip
        return links.page(request, error.kind, title=title, text=text)
    if error.kind == links.EXPIRED:
        days, title = settings.ORGANIZER_INVITE_DAYS, error.about.petition.title
        text = [
            ngettext(
                "Invitations to help run a petition work for %(days)s day, and this one to "
                "“%(title)s” is older.",
                "Invitations to help run a petition work for %(days)s days, and this one to "
                "“%(title)s” is older.",
                days,
            ) % {"days": days, "title": title},
            _("Ask the person who invited you to invite you again: they can do it in a minute "
              "from the petition’s dashboard, and the new link will work straight away."),
        ]  # fmt: skip
        return links.page(request, error.kind, title=_("This invitation has expired"), text=text)
    if request.user.is_authenticated:
        offer = links.Offer(_("Go to your petitions"), reverse("accounts:dashboard"))
    else:
        offer = links.Offer(
            _("Sign in to see your petitions"), reverse("accounts:sign_in"), style="button"
        )
    title = _("This invitation link has already been used")
    text = [_("Each invitation link works once. It also stops working when a newer invitation "
              "is sent to the same address: use the link in the newest e-mail.")]  # fmt: skip
    return links.page(request, error.kind, title=title, text=text, offer=offer)
