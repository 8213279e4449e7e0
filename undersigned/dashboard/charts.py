"""The dashboard's charts, drawn on the server as SVG.

The bar charts are inline SVG with presentation attributes only (the site's CSP allows no
inline style or script) in `currentColor`, so they follow the light and dark themes. The
world map is drawn by pygal and served from its own URL as an <img>: an image can run no
script and load nothing, and its text alternative is the country table beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

import pygal
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pygal.style import Style
from pygal_maps_world.maps import World

from undersigned.dashboard.stats import CountryRow, Point

BAR = 10  # user units per bar in the viewBox; the chart is stretched to the page's width
GAP = 2
HEIGHT = 100

# The site's palette (DESIGN.md): a white card whatever the theme, the accent for data.
MAP_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1d21",
    foreground_strong="#1a1d21",
    foreground_subtle="#5a6169",
    colors=("#0b57a4",),
    font_family="system-ui, sans-serif",
)
# Nothing in a pygal SVG that could fetch or run anything (pygal links its scripts from a
# CDN unless told otherwise, and always adds an inline config script).
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _label(moment: datetime | date, hourly: bool) -> str:
    if hourly:
        return date_format(moment, "DATETIME_FORMAT")
    return date_format(moment, "DATE_FORMAT")


def bar_chart(
    points: Sequence[Point], *, chart_id: str, title: str, description: str, min_slots: int = 1
) -> SafeString:
    """A bar per point, oldest on the left, newest at the right edge, scaled to the
    tallest; each bar has its date and count as a <title>. With fewer points than
    `min_slots`, the bars keep the width of `min_slots` and the left stays empty, so a
    young petition does not get a few bars as wide as the page. `description` should say
    what the table beside it holds."""
    hourly = bool(points) and isinstance(points[0].start, datetime)
    tallest = max((p.count for p in points), default=0) or 1
    slots = max(len(points), min_slots, 1)
    width, offset = slots * BAR, slots - len(points)
    bars = []
    for i, point in enumerate(points, start=offset):
        if point.count:
            height = max(HEIGHT * point.count / tallest, 1.5)  # one signature stays visible
            x, y = i * BAR + GAP / 2, round(HEIGHT - height, 2)
            bars.append(
                (x, y, BAR - GAP, round(height, 2), _label(point.start, hourly), point.count)
            )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'height="160" preserveAspectRatio="none" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<line x1="0" y1="{h}" x2="{w}" y2="{h}" stroke="currentColor" stroke-width="1" '
        'vector-effect="non-scaling-stroke"/>'
        '<line x1="0" y1="0" x2="{w}" y2="0" stroke="currentColor" stroke-width="1" '
        'stroke-dasharray="4 4" stroke-opacity="0.5" vector-effect="non-scaling-stroke"/>'
        "{bars}</svg>",
        id=chart_id,
        w=width,
        h=HEIGHT,
        title=title,
        desc=description,
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor">'
            "<title>{}: {}</title></rect>",
            bars,
        ),
    )


def world_map_svg(rows: Sequence[CountryRow]) -> bytes:
    """A choropleth of counted signatures per country: the more, the darker."""
    config = pygal.Config(
        js=[], show_legend=False, show_tooltips=False, no_prefix=True,
        width=960, height=500, margin=0, style=MAP_STYLE, pretty_print=False,
    )  # fmt: skip
    chart = World(config)
    values = {row.code.lower(): row.count for row in rows if row.count}
    chart.add(_("Confirmed signatures"), values)
    svg = chart.render().decode()
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    # Name the image inside it too, for anyone who opens the file on its own.
    end = svg.index(">", svg.index("<svg")) + 1
    svg = f"{svg[:end]}<title>{escape(_('Signatures by country'))}</title>{svg[end:]}"
    return svg.encode()
