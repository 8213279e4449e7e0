"""A printable A4 poster: the title, a call to action, the count and a QR code.

Organizers pin it up or hand it out; the QR code opens the petition with
`?source=poster`, so the dashboard counts who came from paper. The short address is
printed too, for people who would rather type it. Pure Python (fpdf2 + segno), with the
DejaVu fonts embedded so every alphabet we support prints.
"""

from __future__ import annotations

import io
import time

import segno
from django.conf import settings
from django.core.cache import cache
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from undersigned.petitions.models import Petition
from undersigned.sharing.image import FONTS, _language_for, bucket_of
from undersigned.sharing.links import petition_url, short_url
from undersigned.signatures.actions import count_for

QR_MM = 90  # big enough to scan from a couple of metres away


def qr_code(petition: Petition, source: str = "poster") -> segno.QRCode:
    return segno.make(petition_url(petition, source), error="m", micro=False)


def qr_svg(petition: Petition, source: str = "qr") -> bytes:
    out = io.BytesIO()
    title = _("QR code: %(url)s") % {"url": short_url(petition)}
    qr_code(petition, source).save(out, kind="svg", scale=8, border=4, title=title)
    return out.getvalue()


def poster_pdf(petition: Petition, now: float | None = None) -> bytes:
    """The poster, drawn at most once per SHARE_IMAGE_SECONDS (it shows the count)."""
    bucket = bucket_of(time.time() if now is None else now)
    key = f"sharing:poster:{petition.pk}:{bucket}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = draw_poster(petition, count_for(petition))
        cache.set(key, pdf, settings.SHARE_IMAGE_SECONDS * 2)
    return pdf


def draw_poster(petition: Petition, count: int) -> bytes:
    from fpdf import FPDF  # here, not at import: fpdf2 adds ~44 MB to every web process

    with translation.override(_language_for(petition)):
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_title(petition.title)
        pdf.set_creator(settings.SITE_NAME)
        pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_auto_page_break(False)
        pdf.set_margins(20, 20, 20)
        pdf.add_page()
        width = pdf.w - 40

        pdf.set_text_color(11, 87, 164)
        pdf.set_font("DejaVu", "B", 14)
        pdf.cell(width, 8, settings.SITE_NAME, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)

        pdf.set_text_color(26, 29, 33)
        size = 34 if len(petition.title) <= 60 else 26 if len(petition.title) <= 110 else 22
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, size * 0.5, petition.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)

        pdf.set_font("DejaVu", "", 16)
        if count:
            line = ngettext(
                "%(count)s person has already signed.", "%(count)s people have already signed.",
                count,
            ) % {"count": formats.number_format(count, force_grouping=True)}  # fmt: skip
        else:
            line = _("Be one of the first to sign.")
        pdf.multi_cell(width, 8, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

        pdf.set_font("DejaVu", "B", 24)
        pdf.set_text_color(11, 87, 164)
        pdf.multi_cell(width, 12, _("Add your name: sign this petition"), align="C",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_text_color(26, 29, 33)
        pdf.set_font("DejaVu", "", 14)
        pdf.multi_cell(width, 7, _("Scan the code with your phone's camera:"), align="C",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip

        png = io.BytesIO()
        qr_code(petition).save(png, kind="png", scale=16, border=4)
        top = max(pdf.get_y() + 4, 130)
        pdf.image(png, x=(pdf.w - QR_MM) / 2, y=top, w=QR_MM, h=QR_MM)
        pdf.set_y(top + QR_MM + 4)

        pdf.set_font("DejaVu", "", 14)
        pdf.multi_cell(width, 7, _("or type this address:"), align="C",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_font("DejaVu", "B", 18)
        pdf.multi_cell(width, 9, short_url(petition), align="C", new_x="LMARGIN", new_y="NEXT")

        pdf.set_y(-24)
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(90, 97, 105)
        pdf.multi_cell(width, 5, _("Only signatures confirmed by e-mail are counted."), align="C")
        return bytes(pdf.output())
