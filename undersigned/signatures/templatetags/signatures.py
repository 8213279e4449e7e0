"""The signers' parts of the petition page, drawn here so that petitions, which owns the
page, never imports signatures: {% load signatures %} is resolved by name when the page
renders.

    {% signature_count petition as count %}   the public count (actions.count_for)
    {% sign_form form as form %}              the sign form, bound or new
    {% recent_signers petition as recent %}   the newest public signers
    {% signer_items recent %}                 their <li> items
    {% top_regions petition %}                where the signers live, linking the breakdown
    {{ address|wrappable_address }}           an address that wraps after "@" and dots
"""

from __future__ import annotations

from html import escape

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.utils.safestring import SafeString, mark_safe

from undersigned.lib.countries import country_from_accept_language
from undersigned.lib.publictime import day_of
from undersigned.petitions.models import Petition
from undersigned.signatures.actions import count_for
from undersigned.signatures.forms import SignForm
from undersigned.signatures.models import PublicSigner, Signature
from undersigned.signatures.regions import TOP
from undersigned.signatures.regions import top_regions as top_region_rows

register = template.Library()

RECENT = 10  # signers listed on a petition page


@register.filter
def wrappable_address(address: str) -> SafeString:
    """An e-mail address that a narrow screen wraps after "@" and dots, not mid-word."""
    return mark_safe(escape(address).replace("@", "@<wbr>").replace(".", ".<wbr>"))  # noqa: S308


@register.simple_tag
def signature_count(petition: Petition) -> int:
    """Read once per page and kept with `as`: both count blocks and the log badge must
    show the same number."""
    return count_for(petition)


@register.simple_tag(takes_context=True)
def sign_form(context: template.Context, form: SignForm | None = None) -> SignForm:
    """The form given (a POST refused for its errors, passed back by views.sign), or a new
    one with the country the browser's language suggests preselected."""
    if isinstance(form, SignForm):
        return form
    accept_language = context.request.headers.get("Accept-Language", "")
    petition = context.get("petition")
    return SignForm(
        initial={"country": country_from_accept_language(accept_language)},
        region_scheme=getattr(petition, "region_scheme", ""),
    )


@register.simple_tag
def recent_signers(petition: Petition) -> list[PublicSigner]:
    return Signature.objects.filter(petition=petition).recent_public(RECENT)


@register.simple_tag
def signer_items(signers: list[PublicSigner]) -> SafeString:
    """The <li> of each recent signer. Written here rather than as a template loop: a
    petition page is rendered on every cache miss, and resolving and escaping five
    variables per signer through the template engine made a petition with signers render
    markedly slower than an empty one. Every value is escaped.

    Each says the UTC day it was confirmed, never the time, and the list is in day then
    name order, not in the order people confirmed: either would line a named signer up
    with their entry in the public log (lib/publictime.py).
    """
    items = []
    for signer, day in sorted(
        ((signer, day_of(signer.confirmed_at)) for signer in signers),
        key=lambda pair: (-pair[1].timestamp(), pair[0].public_name),
    ):
        where = f", {escape(signer.country_name)}" if signer.country_name else ""
        said = f"<blockquote>{escape(signer.comment)}</blockquote>" if signer.comment else ""
        items.append(
            f"<li><strong>{escape(signer.public_name)}</strong>{where}\n"
            f'            <span class="muted"> · <time datetime="{day.date().isoformat()}">'
            f"{escape(str(naturalday(day)))}</time></span>\n"
            f"            {said}</li>"
        )
    return mark_safe("\n          ".join(items))  # noqa: S308 - each value escaped above


@register.inclusion_tag("signatures/_top_regions.html")
def top_regions(petition: Petition) -> dict:
    """The regions with the most signers, for a petition with a region scheme."""
    rows = top_region_rows(petition, TOP) if petition.region_scheme else []
    return {"petition": petition, "rows": rows}
