"""Sharing on the petition page, the thank-you page and the dashboard.

`sharing_meta` goes in <head> (Open Graph and Twitter card); `share_panel` shows the share
links to visitors, and the organizers' share kit (links, image, poster, QR code, embed
snippets) when it is called from the dashboard; `share_links` is the partial both use.
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
    return _render(
        context,
        "sharing/_meta.html",
        {
            "og_title": title,
            "og_description": Truncator(text).chars(200),
            "og_url": petition.absolute_url(),
            "og_image": settings.SITE_URL
            + reverse("sharing:image", args=[petition.pk])
            + f"?v={bucket}",
            "og_width": image.WIDTH,
            "og_height": image.HEIGHT,
        },
    )


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
    extra: dict = {"petition": petition, "shareable": links.is_shareable(petition)}
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
