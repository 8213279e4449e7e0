"""The delivery pack's PDF, laid out with fpdf2 in DejaVu Sans (Armenian, Cyrillic, Greek,
Latin…: lib/fonts/).

fpdf2 keeps the whole document in memory and lays out about 2,000 signer rows a second
(10,000 signers: ~7 s and ~70 MB; 100,000: ~55 s, ~90 MB, 2,500 pages). A million would
take ten minutes and several hundred megabytes for a document nobody prints, so the PDF
lists at most DELIVERY_PDF_MAX_SIGNERS signers and says, on its first page and after the
list, that the complete list is the CSV file — whose SHA-256 every page's footer prints.

Rows are placed by hand (not fpdf2's table(), four times slower): each row's height is
measured first, and a page is added when it would not fit.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

# fontTools logs every glyph it subsets at INFO: pages of noise in the worker's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parents[1] / "lib" / "fonts"
FONT = "DejaVu"
PAGES_ALIAS = "{total-pages}"
LINE = 4.6  # mm, for 9-point text
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class PackContent:
    """Everything the PDF shows, gathered by packs.py."""

    site_name: str
    petition_url: str
    title: str
    text: str
    addressed_to: str
    generated_at: datetime
    online_count: int
    paper_count: int
    countries: list[tuple[str, int, int]]  # (country name, online, on paper)
    signers: Iterable[tuple[str, str, str]]  # (name, country name, comment)
    listed: int  # how many of `signers` there are (at most the cap)
    paper_names: Iterable[tuple[str, str]]  # (name, country name)
    csv_sha256: str


def clean(text: str) -> str:
    """Control characters would end up as boxes, or break the PDF's text operators."""
    return CONTROL.sub("", text or "")


def plain_text(text_html: str) -> str:
    """The petition's sanitised HTML as plain paragraphs."""
    text = re.sub(r"</(p|h\d|blockquote|ul|ol)>", "\n\n", text_html)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"<li>", "• ", text)
    text = re.sub(r"</li>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _number(n: int) -> str:
    return number_format(n, force_grouping=True)


class PackPDF(FPDF):
    def __init__(self, content: PackContent):
        super().__init__(format="A4")
        self.content = content
        self.table_header: list[tuple[float, str]] = []
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=22)
        self.set_title(clean(content.title))
        self.set_creator(content.site_name)
        self.set_creation_date(content.generated_at)
        # Replaced by the page count at the end: long enough for "12,345" in any font.
        self.alias_nb_pages(PAGES_ALIAS)

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font(FONT, size=7)
        self.set_text_color(90, 97, 105)
        stamp = self.content.generated_at.strftime("%Y-%m-%d %H:%M UTC")
        page = _("page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": PAGES_ALIAS}
        self.cell(0, 3.5, f"{self.content.site_name} · {_('generated')} {stamp} · {page}",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        self.cell(0, 3.5, _("Complete list (CSV file) SHA-256: %(hash)s")
                  % {"hash": self.content.csv_sha256})  # fmt: skip
        self.set_text_color(0, 0, 0)

    # Pieces

    def heading(self, text: str, size: int = 13) -> None:
        self.table_header = []  # a new section: the last table has ended
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(2)
        self.set_font(FONT, size=9)

    def paragraph(self, text: str, size: int = 9) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, size * 0.52, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(2)

    def _lines(self, width: float, text: str) -> int:
        if not text:
            return 1
        if self.get_string_width(text) <= width - 2 * self.c_margin:
            return 1
        return len(self.multi_cell(width, LINE, text, dry_run=True, output="LINES", align="L"))

    def header_row(self, cells: list[tuple[float, str]]) -> None:
        """A table's column names, drawn again at the top of each page the table runs to."""
        self.table_header = cells
        self.row(cells, bold=True)

    def row(self, cells: list[tuple[float, str]], bold: bool = False) -> None:
        """One row of a table whose cells may wrap; moves to a new page if it won't fit."""
        self.set_font(FONT, "B" if bold else "", 9)
        cells = [(width, clean(text)) for width, text in cells]
        height = max(self._lines(width, text) for width, text in cells) * LINE
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            if not bold and self.table_header:
                self.row(self.table_header, bold=True)
                self.set_font(FONT, "", 9)
        top, x = self.get_y(), self.l_margin
        for width, text in cells:
            self.set_xy(x, top)
            self.multi_cell(width, LINE, text, new_x=XPos.RIGHT, new_y=YPos.TOP, align="L")
            x += width
        self.set_xy(self.l_margin, top + height + 0.8)


def render(content: PackContent, path: Path) -> None:
    """Write the delivery pack's PDF to `path`."""
    pdf = PackPDF(content)
    pdf.add_page()
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90, 97, 105)
    pdf.cell(0, 5, _("Petition delivered by %(site)s") % {"site": content.site_name},
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    pdf.set_text_color(0, 0, 0)
    pdf.heading(content.title, 18)
    pdf.paragraph(_("To: %(who)s") % {"who": content.addressed_to}, 11)
    pdf.paragraph(content.petition_url)

    _counts(pdf, content)
    pdf.heading(_("The petition"))
    pdf.paragraph(plain_text(content.text))
    _countries(pdf, content)
    _signers(pdf, content)
    _paper_names(pdf, content)
    pdf.output(str(path))


def _counts(pdf: PackPDF, content: PackContent) -> None:
    online = ngettext(
        "%(n)s person signed online and confirmed their signature by e-mail.",
        "%(n)s people signed online and confirmed their signatures by e-mail.",
        content.online_count,
    ) % {"n": _number(content.online_count)}
    pdf.heading(online, 12)
    if content.paper_count:
        paper = ngettext(
            "%(n)s more signature was collected on paper. Paper signatures are counted "
            "separately: they were not confirmed by e-mail.",
            "%(n)s more signatures were collected on paper. Paper signatures are counted "
            "separately: they were not confirmed by e-mail.",
            content.paper_count,
        ) % {"n": _number(content.paper_count)}
        pdf.paragraph(paper, 10)
    stamp = content.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    pdf.paragraph(_("Figures as of %(when)s.") % {"when": stamp})
    if content.listed < content.online_count:
        pdf.paragraph(partial_list_note(content.listed, content.online_count), 10)


def _countries(pdf: PackPDF, content: PackContent) -> None:
    if not content.countries:
        return
    pdf.heading(_("Signatures by country"))
    widths = (80, 30, 30, 30)
    labels = (_("Country"), _("Online"), _("On paper"), _("Total"))
    pdf.header_row(list(zip(widths, labels, strict=True)))
    for name, online, paper in content.countries:
        figures = (name, _number(online), _number(paper), _number(online + paper))
        pdf.row(list(zip(widths, figures, strict=True)))
    pdf.ln(4)


def _signers(pdf: PackPDF, content: PackContent) -> None:
    pdf.heading(_("The signers"))
    if not content.listed:
        pdf.paragraph(_("Nobody has signed online yet."))
        return
    widths = (60, 35, 79)
    pdf.header_row(list(zip(widths, (_("Name"), _("Country"), _("Comment")), strict=True)))
    for name, country, comment in content.signers:
        pdf.row(list(zip(widths, (name, country, comment), strict=True)))
    if content.listed < content.online_count:
        pdf.ln(2)
        pdf.paragraph(partial_list_note(content.listed, content.online_count), 10)


def partial_list_note(listed: int, total: int) -> str:
    return _(
        "This document lists the first %(listed)s of the %(total)s online signers. The "
        "complete list is in the CSV file of this delivery pack (its SHA-256 is printed "
        "at the foot of every page)."
    ) % {"listed": _number(listed), "total": _number(total)}


def _paper_names(pdf: PackPDF, content: PackContent) -> None:
    names = iter(content.paper_names)
    first = next(names, None)
    if first is None:
        return
    pdf.ln(4)
    pdf.heading(_("Names written on paper sheets"))
    pdf.paragraph(
        _("As typed in by the organizers. These signatures were not confirmed by e-mail.")
    )
    widths = (95, 79)
    pdf.header_row(list(zip(widths, (_("Name"), _("Country")), strict=True)))
    pdf.row(list(zip(widths, first, strict=True)))
    for name in names:
        pdf.row(list(zip(widths, name, strict=True)))
