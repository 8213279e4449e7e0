"""Supporters before moderation (PETITION_SUPPORTERS_REQUIRED; 0: off).

When the setting is above 0, a submitted petition is not sent to the moderators but
gathers supporters: its organizer gets a private link to share (on the page and by
e-mail); the link shows the petition and the ordinary sign form, and each supporter
confirms by e-mail like any signer. When enough have confirmed, the petition moves to
moderation, once (a conditional UPDATE on its state). Supporters are signatures like
any other: they count as signers when it opens.

Petitions does not import signatures (docs/architecture.md): the sign form is drawn by
signatures' template tags, and signatures calls `may_sign`, `page_path` and
`gather_supporters` from its sign and confirm paths.

A wrong key is answered like a petition that does not exist: the same 404.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.cache import never_cache

from undersigned.lib.emails import queue_email
from undersigned.lib.methods import require_safe
from undersigned.petitions import hooks
from undersigned.petitions.models import Petition

# States in which supporters sign with the link and confirm: while gathering, and while
# the moderators decide (a supporter who confirms late still counts when it opens).
SUPPORTING = {Petition.State.SUPPORT, Petition.State.MODERATION}
KEY_SALT = "undersigned.petitions.supporters"


def required() -> int:
    return settings.PETITION_SUPPORTERS_REQUIRED


def support_key(petition: Petition | int) -> str:
    """The secret part of the private link: an HMAC of the petition's id (SECRET_KEY)."""
    pk = petition if isinstance(petition, int) else petition.pk
    return salted_hmac(KEY_SALT, str(pk), algorithm="sha256").hexdigest()[:32]


def key_matches(petition: Petition | int, key: str) -> bool:
    return bool(key) and constant_time_compare(support_key(petition), key)


def support_path(petition: Petition) -> str:
    return reverse("petitions:support", args=[petition.pk, support_key(petition)])


def support_url(petition: Petition) -> str:
    return settings.SITE_URL + support_path(petition)


def may_sign(petition: Petition, key: str) -> bool:
    """Whether this key lets someone sign `petition` as a supporter (its state is read by
    the caller: signatures' per-process copy of it)."""
    return petition.state in SUPPORTING and key_matches(petition, key)


def confirms_supporters(petition: Petition) -> bool:
    """Whether a supporter's confirmation link works: the signature exists, so it was
    made with the private link."""
    return petition.state in SUPPORTING


def page_path(petition: Petition) -> str:
    """Where a signer's pages and e-mails point: the private link while the petition is
    gathering supporters or awaiting moderation, its public page otherwise."""
    return support_path(petition) if petition.state in SUPPORTING else petition.get_absolute_url()


def page_url(petition: Petition) -> str:
    return support_url(petition) if petition.state in SUPPORTING else petition.absolute_url()


def petition_for(pk: int, key: str) -> Petition | None:
    """The petition the private link is for (in whatever state), or None."""
    if pk >= 2**63 or not key_matches(pk, key):
        return None
    return Petition.objects.filter(pk=pk).select_related("creator").first()


def tell_organizer(petition: Petition) -> None:
    """The private link, by e-mail (queued in the submitting transaction)."""
    queue_email(
        "petition_support",
        petition.creator.email,
        {
            "name": petition.creator.name,
            "title": petition.title,
            "url": support_url(petition),
            "required": required(),
        },
    )


def gather_supporters(petition_id: int, confirmed: int, now: datetime | None = None) -> bool:
    """Move the petition to moderation when `confirmed` (its count, read after the
    confirmation committed) reaches the number required. Once: only the UPDATE that finds
    it still gathering changes it; True for that one."""
    if confirmed < required():
        return False
    now = now or timezone.now()
    with transaction.atomic():
        moved = Petition.objects.filter(pk=petition_id, state=Petition.State.SUPPORT).update(
            state=Petition.State.MODERATION, submitted_at=now, updated_at=now
        )
        if not moved:
            return False
        petition = Petition.objects.select_related("creator").get(pk=petition_id)
        hooks.state_changed.send(
            sender=Petition, petition=petition, previous=Petition.State.SUPPORT
        )
        queue_email(
            "petition_supported",
            petition.creator.email,
            {"name": petition.creator.name, "title": petition.title, "supporters": confirmed},
        )
    return True


@require_safe
@never_cache  # a private link: never in a shared cache
def support(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    petition = petition_for(pk, key)
    if petition is not None and petition.state in SUPPORTING:
        return support_page(request, petition)
    if petition is not None and petition.is_public:  # opened (or decided): the real page
        return redirect(petition)
    raise Http404


def support_page(request: HttpRequest, petition: Petition, form=None, status: int = 200):
    """The petition and the sign form, for supporters; signatures' sign view passes back
    a refused form (status 400), as with the public page."""
    context = {
        "petition": petition,
        "targets": list(petition.targets.all()),
        "support_key": support_key(petition),
        "required": required(),
        "form": form,
        "is_organizer": bool(petition.role_of(request.user)),
        "support_url": support_url(petition),
    }
    response = render(request, "petitions/support.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
