"""Where a petition can be shared from: plain links, each tagged with a `source`.

Every link is an ordinary URL to the network's own share page: no script, image or font
of theirs is ever loaded by our pages. The `source` parameter lands in the sign form
(petitions/views.py passes `?source=` on) and is stored with the signature, so the
dashboard can tell organizers which channel brings signers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from undersigned.petitions.models import Petition
from undersigned.sharing.models import Picture

# States whose page anyone may see and share (drafts, rejected and hidden ones: never).
SHAREABLE = {Petition.State.OPEN, Petition.State.CLOSED}


@dataclass(frozen=True)
class ShareLink:
    network: str  # also the `source` it records, and the icon's name
    label: str
    href: str


def is_shareable(petition: Petition) -> bool:
    return petition.state in SHAREABLE


def petition_url(petition: Petition, source: str = "") -> str:
    """The petition's public address, tagged with where the visitor came from."""
    url = petition.absolute_url()
    return f"{url}?{urlencode({'source': source})}" if source else url


def short_url(petition: Petition) -> str:
    """The address without its scheme, for print: "example.org/petitions/12". The bare
    id, short enough to type from a poster; it redirects to the readable address."""
    parts = urlsplit(settings.SITE_URL + reverse("petitions:detail", args=[petition.pk]))
    return parts.netloc + parts.path


def share_links(petition: Petition, title: str | None = None) -> list[ShareLink]:
    """One link per network, in the order people use them most (mail, chat, social)."""
    title = title or petition.title

    def url(source: str) -> str:
        return quote(petition_url(petition, source), safe="")

    text = quote(title, safe="")
    body = quote(title + "\n\n", safe="")
    return [
        ShareLink("email", _("E-mail"), f"mailto:?subject={text}&body={body}{url('email')}"),
        ShareLink("whatsapp", "WhatsApp", f"https://wa.me/?text={text}%20{url('whatsapp')}"),
        ShareLink(
            "telegram", "Telegram", f"https://t.me/share/url?url={url('telegram')}&text={text}"
        ),
        ShareLink("x", "X", f"https://x.com/intent/post?url={url('x')}&text={text}"),
        ShareLink(
            "facebook",
            "Facebook",
            f"https://www.facebook.com/sharer/sharer.php?u={url('facebook')}",
        ),
    ]


def embed_url(petition: Petition, with_form: bool = False) -> str:
    url = settings.SITE_URL + reverse("sharing:embed", args=[petition.pk])
    return url + "?form=1" if with_form else url


def embed_script_url() -> str:
    """The loader's stable address (not the hashed one): partners paste it once and
    still get our fixes."""
    return settings.SITE_URL + settings.STATIC_URL + "js/embed.js"


def iframe_snippet(petition: Petition, with_form: bool = False) -> str:
    title = _("Petition: %(title)s") % {"title": petition.title}
    height = 1450 if with_form else 340  # the form's own height on a phone, contact box included
    height += picture_room(petition)
    return (
        f'<iframe src="{embed_url(petition, with_form)}" title="{_escape(title)}" '
        f'width="100%" height="{height}" loading="lazy" '
        f'style="border:0;max-width:480px"></iframe>'
    )


def picture_room(petition: Petition) -> int:
    """The height the picture takes at the top of the embed: at most 448 pixels wide and
    224 tall (site.css), and its margin. The script version measures it instead."""
    picture = Picture.objects.shown().filter(petition=petition).first()
    if picture is None:
        return 0
    return min(224, math.ceil(448 * picture.height / picture.width)) + 8


def script_snippet(petition: Petition, with_form: bool = False) -> str:
    form = ' data-form="1"' if with_form else ""
    title = _escape(_("Petition: %(title)s") % {"title": petition.title})
    return (
        f'<script src="{embed_script_url()}" data-petition="{petition.pk}"{form} '
        f'data-title="{title}" async></script>'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
