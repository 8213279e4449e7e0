"""The share image (Open Graph / Twitter card): 1200×630 PNG with the title and the count.

Social networks fetch it once per share, crowds of them at a time for a viral petition,
so it is drawn at most once per SHARE_IMAGE_SECONDS per petition: the time is cut into
buckets of that length and the bytes of the current bucket are kept in the cache. The
count it shows therefore lags by at most that long, which is fine for a preview.

Text is drawn with DejaVu Sans (Latin, Cyrillic, Armenian, Greek, Hebrew, Arabic…) and,
when Pillow has libraqm, shaped and ordered right to left where the script needs it;
without libraqm such text is drawn unshaped, which is ugly but never an error.
"""

from __future__ import annotations

import hashlib
import io
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageDraw, ImageFont, features

from undersigned.petitions.models import Petition
from undersigned.signatures.actions import count_for

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
FONTS = Path(settings.BASE_DIR) / "undersigned" / "lib" / "fonts"
TEXT, MUTED, ACCENT, TRACK, BACKGROUND = "#1a1d21", "#5a6169", "#0b57a4", "#d9dde2", "#ffffff"
LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@dataclass(frozen=True)
class ShareImage:
    png: bytes
    etag: str
    bucket: int
    max_age: int  # seconds until the next bucket: how long a copy may be kept


def bucket_of(now: float) -> int:
    return int(now // settings.SHARE_IMAGE_SECONDS)


def share_image(petition: Petition, now: float | None = None) -> ShareImage:
    """The current image: from the cache if this bucket's is drawn, else drawn now."""
    now = time.time() if now is None else now
    seconds = settings.SHARE_IMAGE_SECONDS
    bucket = bucket_of(now)
    max_age = max(1, int((bucket + 1) * seconds - now))
    key = f"sharing:image:{petition.pk}:{bucket}"
    png = cache.get(key)
    if png is None:
        png = draw_share_image(petition, count_for(petition))
        cache.set(key, png, seconds * 2)
    etag = '"' + hashlib.blake2b(png, digest_size=12).hexdigest() + '"'
    return ShareImage(png=png, etag=etag, bucket=bucket, max_age=max_age)


def draw_share_image(petition: Petition, count: int) -> bytes:
    """Draw the card in the petition's own language (the people it is shared with)."""
    with translation.override(_language_for(petition)):
        image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 23, HEIGHT), fill=ACCENT)
        draw.text((MARGIN, 56), settings.SITE_NAME, font=_font(34, bold=True), fill=ACCENT)

        size, lines = _fit_title(petition.title)
        font, y = _font(size, bold=True), 128
        for line in lines:
            _draw_line(draw, line, y, font, TEXT)
            y += int(size * 1.22)

        goal = petition.goal_for(count)
        number = formats.number_format(count, force_grouping=True)
        if count or petition.state != Petition.State.OPEN:
            headline = ngettext(
                "%(count)s person has signed", "%(count)s people have signed", count
            ) % {"count": number}
        else:
            headline = _("Be the first to sign")
        _draw_line(draw, headline, 438, _font(46, bold=True), TEXT)
        if petition.state == Petition.State.OPEN:
            footnote = _("Next goal: %(goal)s") % {
                "goal": formats.number_format(goal, force_grouping=True)
            }
        else:
            footnote = _("This petition is closed.")
        _draw_line(draw, footnote, 500, _font(30), MUTED)

        bar = (MARGIN, 556, WIDTH - MARGIN, 580)
        draw.rounded_rectangle(bar, radius=12, fill=TRACK)
        if count:
            share = min(1.0, max(count / max(goal, count, 1), 0.02))
            filled = MARGIN + int((bar[2] - MARGIN) * share)
            draw.rounded_rectangle((MARGIN, 556, max(filled, MARGIN + 24), 580), 12, fill=ACCENT)

        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()


def _language_for(petition: Petition) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return petition.language if petition.language in codes else settings.LANGUAGE_CODE


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=LAYOUT)


def _is_rtl(text: str) -> bool:
    """True if the first strongly directional character is right-to-left."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in {"R", "AL"}:
            return True
        if direction == "L":
            return False
    return False


def _draw_line(draw: ImageDraw.ImageDraw, line: str, y: int, font, fill: str) -> None:
    x = MARGIN
    if _is_rtl(line):
        x = WIDTH - MARGIN - int(font.getlength(line))
    draw.text((x, y), line, font=font, fill=fill)


def _fit_title(title: str) -> tuple[int, list[str]]:
    """The largest size at which the title fits in four lines (the last one cut short
    with an ellipsis if even the smallest size is not enough)."""
    width = WIDTH - 2 * MARGIN
    for size in (68, 60, 52, 46, 40):
        lines = wrap(title, _font(size, bold=True), width)
        if len(lines) <= 4 and size * 1.22 * len(lines) <= 300:
            return size, lines
    font = _font(40, bold=True)
    lines = wrap(title, font, width)[:6]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    return 40, [*lines[:-1], last.rstrip() + "…"]


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word wider than a line (or a script
    written without spaces) is broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if font.getlength(line + char) > width and line:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines or [""]
