"""Organizers: sign in with an e-mailed link, sign out, and see their petitions.
Moderators: sign in with their password (and then a link) on a page of the site's own,
which the admin's sign-in address shows too."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from undersigned.accounts import actions
from undersigned.accounts.forms import SignInForm, StaffSignInForm
from undersigned.lib import links
from undersigned.lib.http import error_page, see_other
from undersigned.lib.methods import require_http_methods, require_POST, require_safe
from undersigned.lib.ratelimit import limit_posts
from undersigned.petitions.models import Petition


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = SignInForm(initial={"next": actions.safe_next(request.GET.get("next", ""))})
        return render(request, "accounts/sign_in.html", {"form": form})
    form = SignInForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/sign_in.html", {"form": form}, status=400)
    data = form.cleaned_data
    actions.request_sign_in(data["email"], data["name"], data["next"], get_language() or "en")
    # The same page whether or not the address has an account: nothing to probe.
    context = {
        "email": data["email"],
        "next": data["next"],
        "minutes": settings.SIGN_IN_LINK_MINUTES,
    }
    return render(request, "accounts/check_email.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST signs in, so mail scanners opening links do not."""
    try:
        link = actions.check_sign_in_link(token)
        if request.method != "POST":
            return render(request, "accounts/sign_in_link.html", {"link": link, "token": token})
        user = actions.sign_in_with_link(link)
    except actions.AccountDisabled:
        return error_page(request, 403)
    except actions.PasswordFirst as error:
        context = {"link": error.link}
        return render(request, "accounts/link_password_first.html", context, status=403)
    except links.LinkError as error:
        return _link_page(request, error)
    login(request, user)
    messages.success(request, _("You are signed in as %(email)s.") % {"email": user.email})
    return see_other(link.next or "accounts:dashboard")


def _link_page(request: HttpRequest, error: links.LinkError) -> HttpResponse:
    """Malformed, expired or used: a new link is offered, filled in when the old one was
    genuine (who it was for, their name, where they were going)."""
    if error.kind == links.MALFORMED:
        offer = links.Offer(
            _("Ask for a new sign-in link"), reverse("accounts:sign_in"), style="button"
        )
        return links.page(
            request, error.kind, title=_("This sign-in link is not complete"), offer=offer
        )
    old = error.about
    initial = {"email": old.email, "name": old.name, "next": old.next}
    form = SignInForm(initial=initial)
    offer = links.Offer(_("Send me a new link"), template="accounts/_sign_in_form.html", form=form)
    if error.kind == links.EXPIRED:
        minutes = settings.SIGN_IN_LINK_MINUTES
        text = [
            ngettext(
                "Sign-in links work for %(minutes)s minute, and this one is older. We can "
                "send you a new one.",
                "Sign-in links work for %(minutes)s minutes, and this one is older. We can "
                "send you a new one.",
                minutes,
            ) % {"minutes": minutes}
        ]  # fmt: skip
        title = _("This sign-in link has expired")
        return links.page(request, error.kind, title=title, text=text, offer=offer)
    text = [_("Each sign-in link works once, and only until you sign in again.")]
    if request.user.is_authenticated:
        # The address is the account's own; escaped before it goes into the markup.
        signed_in = _("You are signed in as <strong>%(email)s</strong>.")
        text.append(mark_safe(signed_in % {"email": escape(request.user.email)}))  # noqa: S308
        offer = links.Offer(_("Go to your petitions"), reverse("accounts:dashboard"))
    else:
        text.append(_("If you need to sign in again, we can send you a new link."))
    title = _("This sign-in link has already been used")
    return links.page(request, error.kind, title=title, text=text, offer=offer)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are signed out."))
    return see_other("petitions:home")


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    petitions = Petition.objects.organized_by(request.user).order_by("-created_at", "-pk")
    return render(request, "accounts/dashboard.html", {"petitions": petitions})


class StaffLoginView(LoginView):
    """The moderators' password form; with STAFF_TWO_FACTOR a correct password e-mails the
    link that finishes signing in, instead of signing in."""

    form_class = StaffSignInForm
    template_name = "accounts/staff_sign_in.html"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        response = self.form_invalid(form)
        if form.is_locked():
            response.status_code = 429
            response["Retry-After"] = str(form.window_seconds())
        return response

    def form_valid(self, form: StaffSignInForm) -> HttpResponse:
        if not settings.STAFF_TWO_FACTOR:
            return super().form_valid(form)
        user = form.get_user()
        next_url = actions.safe_next(self.get_success_url())
        actions.request_staff_sign_in(user, next_url, get_language() or "en")
        context = {"email": user.email, "minutes": settings.SIGN_IN_LINK_MINUTES}
        return render(self.request, "accounts/staff_check_email.html", context)


# At most 10 attempts per address per 5 minutes (StaffSignInForm also counts per account).
# One view, so one limit, for both of its addresses: /accounts/staff-sign-in/ and the
# admin's /admin/login/ (AdminSite.login, see undersigned/urls.py).
@limit_posts("admin-login", 10, 300)
def staff_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """Moderators' sign-in page, in the site's design. Without a `next`, the admin's
    address goes on to the admin, the site's to the moderation queue."""
    in_admin = request.path == reverse("admin:login")
    default_next = reverse("admin:index" if in_admin else "moderation:queue")
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect(actions.safe_next(request.GET.get(REDIRECT_FIELD_NAME, "")) or default_next)
    context = {"two_factor": settings.STAFF_TWO_FACTOR}
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = default_next
    context.update(extra_context or {})
    return StaffLoginView.as_view(extra_context=context)(request)
