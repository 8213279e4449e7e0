"""A scheme's map as SVG, drawn on the server: each region filled by its count's band.

The output is a complete SVG document (valid XML on its own) that a page can also put
inline. Every region's path carries a <title> with its name and count, and <title>/<desc>
name the picture; the numbers are never in the colours alone (the breakdown page has the
table). The legend (`legend()`) is HTML beside the picture rather than text inside it,
where it would shrink with the drawing to a few pixels on a phone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from undersigned.regions.lookups import RegionInfo
from undersigned.regions.models import Boundary, Scheme

# No signers, then five bands, light to the site's accent: each step is visibly darker.
NONE_FILL = "#f5f6f7"
FILLS = ("#dbe9f7", "#a9cbeb", "#6fa5d8", "#3a7cc0", "#0b57a4")


@dataclass(frozen=True, slots=True)
class Band:
    low: int
    high: int
    fill: str


def bands(highest: int) -> list[Band]:
    """Up to five ranges that together cover 1…highest, each as wide as the others
    (rounded up): "1–4, 5–8, …". Fewer when there are fewer distinct counts."""
    if highest < 1:
        return []
    edges = sorted({math.ceil(highest * step / len(FILLS)) for step in range(1, len(FILLS) + 1)})
    found, low = [], 1
    for index, high in enumerate(edges):
        fill = FILLS[round(index * (len(FILLS) - 1) / max(len(edges) - 1, 1))]
        found.append(Band(low, high, fill))
        low = high + 1
    return found


def fill_for(count: int, scale: list[Band]) -> str:
    for band in scale:
        if count <= band.high:
            return band.fill if count >= band.low else NONE_FILL
    return NONE_FILL


def _number(n: int) -> str:
    return number_format(n, force_grouping=True)


def region_title(name: str, count: int) -> str:
    return ngettext(
        "%(region)s: %(count)s signature", "%(region)s: %(count)s signatures", count
    ) % {"region": name, "count": _number(count)}


def legend(counts: dict[str, int]) -> list[tuple[str, str]]:
    """(fill, words) of each shade the map uses for these counts, lightest first."""
    shades = [(NONE_FILL, _("no signatures"))]
    for band in bands(max(counts.values(), default=0)):
        if band.low == band.high:
            shades.append((band.fill, _number(band.low)))
        else:
            shades.append((band.fill, f"{_number(band.low)}–{_number(band.high)}"))
    return shades


def render_map(
    scheme: Scheme, regions: dict[str, RegionInfo], counts: dict[str, int], ident: str = "map"
) -> SafeString:
    """The scheme's map with `counts` ({region code: signers}); "" if it has no map."""
    if not scheme.has_map:
        return mark_safe("")
    scale = bands(max(counts.values(), default=0))
    width, height = scheme.map_width, scheme.map_height
    title = _("Signatures by region")
    if scheme.schematic_map:
        title = _("Signatures by region (schematic map: the shapes are not real borders)")
    desc = _("Each region is shaded by its number of signatures; the table lists the figures.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc" class="region-map">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        '<g stroke="#5a6169" stroke-width="1" stroke-linejoin="round">',
    ]
    for boundary in Boundary.objects.filter(scheme=scheme).order_by("region"):
        region = regions.get(boundary.region)
        name = region.name if region else boundary.region
        count = counts.get(boundary.region, 0)
        parts.append(
            f'<path d={quoteattr(boundary.path)} fill="{fill_for(count, scale)}"'
            f' data-region={quoteattr(boundary.region)} data-count="{count}">'
            f"<title>{escape(region_title(name, count))}</title></path>"
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute escaped above
