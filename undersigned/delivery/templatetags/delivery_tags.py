"""The paper line under the petition page's count, and the dashboard's delivery panel."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.utils.translation import gettext, ngettext
from django_countries import countries

from undersigned.delivery.actions import latest_packs, paper_total
from undersigned.delivery.exports import contact_signatures
from undersigned.delivery.models import Download, PaperSheet
from undersigned.petitions.models import Petition

register = template.Library()

LOG_SHOWN = 20


@register.inclusion_tag("delivery/_paper_line.html", takes_context=True)
def paper_line(context, petition: Petition) -> dict:
    """ "12,304 online · 850 on paper", only when there are paper signatures."""
    return {"online": context.get("count") or 0, "paper": paper_total(petition)}


@register.simple_tag
def paper_summary(signatures: int, entries: int) -> str:
    """ "1 signature on paper, in 1 entry.": each number with its own plural form, which
    one {% blocktranslate count %} cannot give a sentence with two numbers."""
    signed = ngettext("%(n)s signature", "%(n)s signatures", signatures) % {
        "n": intcomma(signatures)
    }
    sheets = ngettext("%(n)s entry", "%(n)s entries", entries) % {"n": intcomma(entries)}
    return gettext("%(signatures)s on paper, in %(entries)s.") % {
        "signatures": signed,
        "entries": sheets,
    }


def contactable(petition: Petition) -> int:
    """A COUNT over the petition's signatures: at most once a minute per petition."""
    key = f"delivery:contactable:{petition.pk}"
    count = cache.get(key)
    if count is None:
        count = contact_signatures(petition).count()
        cache.set(key, count, 60)
    return count


@register.inclusion_tag("delivery/_panel.html", takes_context=True)
def delivery_panel(context, petition: Petition) -> dict:
    user = context["request"].user
    latest = latest_packs(petition)
    targets = list(petition.targets.all())
    rows = [{"target": None, "pack": latest.get(None)}]
    rows += [{"target": target, "pack": latest.get(target.pk)} for target in targets]
    sheets = PaperSheet.objects.of(petition)
    by_country = sorted(sheets.by_country().items(), key=lambda item: -item[1])
    downloads = Download.objects.of(petition)
    return {
        "petition": petition,
        "can_edit": petition.can_edit(user),
        "packs": rows,
        "paper": sheets.summary(),
        "paper_countries": [(countries.name(code), n) for code, n in by_country],
        "contactable": contactable(petition),
        "downloads": downloads[:LOG_SHOWN],
        "downloads_total": downloads.count(),
    }


@register.simple_tag
def delivery_keep_days() -> int:
    """For the privacy page: how long pack files stay on the server."""
    return settings.DELIVERY_KEEP_DAYS
