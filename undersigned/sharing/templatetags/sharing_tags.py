"""Sharing on the petition page, the thank-you page and the dashboard.

`sharing_meta` goes in <head> (Open Graph and Twitter card); `share_panel` shows the share
links to visitors, and the organizers' share kit (links, image, poster, QR code, embed
snippets) when it is called from the dashboard; `share_links` is the partial both use.
`petition_picture` draws the petition's picture (page and embed), `picture_review` shows
it to moderators, `pictures_waiting` counts the new pictures they have to look at.
"""

from __future__ import annotations

import time

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from undersigned.petitions.models import Petition
from undersigned.sharing import image, links
from undersigned.sharing.models import Picture

register = template.Library()


def _render(context, name: str, extra: dict) -> SafeString:
    return render_to_string(name, {**context.flatten(), **extra}, request=context.get("request"))


@register.simple_tag(takes_context=True)
def sharing_meta(context, petition: Petition) -> str:
    if not links.is_shareable(petition):
        return ""
    title = context.get("shown_title") or petition.title
    text = " ".join(strip_tags(context.get("shown_html") or petition.text_html).split())
    bucket = image.bucket_of(time.time())
    drawn = reverse("sharing:image", args=[petition.pk]) + f"?v={bucket}"
    card = {
        "og_image": settings.SITE_URL + drawn,
        "og_type": "image/png",
        "og_width": image.WIDTH,
        "og_height": image.HEIGHT,
    }
    # The organizers' picture, when there is one, is what the link shows when shared
    # (as JPEG: what every network reads); the drawn card is for petitions without one.
    if picture := shown_picture(petition):
        card = {
            "og_image": settings.SITE_URL + picture.largest_jpeg_url,
            "og_type": "image/jpeg",
            "og_width": picture.width,
            "og_height": picture.height,
            "og_alt": picture.alt,
        }
    return _render(
        context,
        "sharing/_meta.html",
        {
            "og_title": title,
            "og_description": Truncator(text).chars(200),
            "og_url": petition.absolute_url(),
            **card,
        },
    )


def shown_picture(petition: Petition) -> Picture | None:
    """The picture visitors see; none on a rejected or hidden petition's page. Kept on
    the petition object: one page asks for it up to three times (head, page, kit)."""
    if petition.state in {Petition.State.REJECTED.value, Petition.State.HIDDEN.value}:
        return None
    cached = getattr(petition, "_shown_picture", False)
    if cached is False:
        cached = Picture.objects.shown().filter(petition=petition).first()
        petition._shown_picture = cached  # type: ignore[attr-defined]
    return cached


# What `sizes` tells the browser about the picture's width on screen: the page's column
# (960 px less its 16 px margins), the embed's (480 px), a moderator's table cell.
SIZES = {
    "page": "(min-width: 960px) 928px, calc(100vw - 32px)",
    "embed": "(min-width: 480px) 448px, calc(100vw - 32px)",
    "small": "(min-width: 640px) 320px, calc(100vw - 32px)",
}


@register.simple_tag(takes_context=True)
def petition_picture(context, petition: Petition, where: str = "page") -> str:
    """The picture at the top of the petition page (where="page") or the embed."""
    picture = shown_picture(petition)
    if picture is None:
        return ""
    extra = {"picture": picture, "sizes": SIZES[where], "eager": where == "page"}
    return _render(context, "sharing/_picture.html", extra)


@register.simple_tag(takes_context=True)
def picture_review(context, petition: Petition) -> str:
    """For the moderation review page: the picture shown, and a new one waiting."""
    pictures = {p.status: p for p in petition.pictures.all()}
    if not pictures:
        return ""
    extra = {
        "petition": petition,
        "shown": pictures.get(Picture.Status.SHOWN),
        "pending": pictures.get(Picture.Status.PENDING),
        "sizes": SIZES["small"],
    }
    return _render(context, "sharing/_picture_review.html", extra)


@register.simple_tag
def pictures_waiting() -> int:
    return Picture.objects.awaiting_review().count()


@register.simple_tag(takes_context=True)
def share_links(context, petition: Petition, qr: bool = True) -> str:
    """The links, copy box and native share button (one set per page), and a QR code
    to show someone nearby unless `qr` is false."""
    if not links.is_shareable(petition):
        return ""
    title = context.get("shown_title") or petition.title
    return _render(
        context,
        "sharing/_links.html",
        {
            "share_links": links.share_links(petition, title),
            "copy_url": links.petition_url(petition, "link"),
            "native_url": links.petition_url(petition, "share"),
            "share_title": title,
            "show_qr": qr,
        },
    )


@register.simple_tag(takes_context=True)
def share_panel(context, petition: Petition) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "dashboard":
        return share_kit(context, petition)
    if not links.is_shareable(petition):
        return ""
    return _render(context, "sharing/_panel.html", {"petition": petition})


@register.simple_tag(takes_context=True)
def share_kit(context, petition: Petition) -> str:
    """For organizers: everything to spread the petition, with copy-paste snippets."""
    request = context.get("request")
    extra: dict = {
        "petition": petition,
        "shareable": links.is_shareable(petition),
        "can_edit": request is not None and petition.can_edit(request.user),
        "picture": shown_picture(petition),
    }
    if extra["shareable"]:
        extra.update(
            iframe_snippet=links.iframe_snippet(petition),
            iframe_form_snippet=links.iframe_snippet(petition, with_form=True),
            script_snippet=links.script_snippet(petition),
            script_form_snippet=links.script_snippet(petition, with_form=True),
            share_minutes=max(1, settings.SHARE_IMAGE_SECONDS // 60),
            short_url=links.short_url(petition),
        )
    return _render(context, "sharing/_kit.html", extra)
