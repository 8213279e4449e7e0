"""Writing a delivery pack's two files: the CSV (every signer) first, then the PDF, which
prints the CSV's SHA-256 in its footer.

Both are written to this machine's scratch folder first (the PDF needs the CSV's hash,
and fpdf2 writes to a path), then saved in the "deliveries" storage, which every node
reads: the download may be asked of another node than the worker that wrote it. The row
is marked ready only once both are saved, so nobody downloads half a file. Both read the
same snapshot (signatures confirmed up to the moment the pack was claimed), so the PDF's
figures and the CSV's rows agree even while people keep signing.
"""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Count
from django.utils.translation import gettext as _
from django_countries import countries

from undersigned.delivery.exports import blocks, counted_signatures, signer_header, signer_rows
from undersigned.delivery.models import (
    DeliveryPack,
    PaperSheet,
    deliveries_storage,
    pack_file_name,
)
from undersigned.delivery.safecsv import stream_rows
from undersigned.petitions.models import Petition

BOM = "\ufeff"  # so that spreadsheets read the names as UTF-8


@dataclass(frozen=True)
class Written:
    stem: str
    online_count: int
    paper_count: int
    listed_in_pdf: int
    pdf_sha256: str
    csv_sha256: str
    pdf_bytes: int
    csv_bytes: int


def addressed_to(pack: DeliveryPack) -> str:
    if pack.target_id:
        return str(pack.target)
    targets = [str(target) for target in pack.petition.targets.all()]
    return "; ".join(targets) if targets else _("the decision makers")


def country_totals(petition: Petition, as_of: datetime) -> list[tuple[str, int, int]]:
    """(country name, online, on paper), the largest total first."""
    online = dict(
        counted_signatures(petition, as_of)
        .values_list("country")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("country", "n")
    )
    paper = PaperSheet.objects.of(petition).by_country()
    rows = [
        (countries.name(code) or code, online.get(code, 0), paper.get(code, 0))
        for code in online.keys() | paper.keys()
    ]
    return sorted(rows, key=lambda row: (-(row[1] + row[2]), row[0]))


def paper_names(petition: Petition) -> Iterator[tuple[str, str, str, str]]:
    """(name, country name, country code, date recorded) for each name typed in."""
    for sheet in PaperSheet.objects.of(petition).with_names().order_by("recorded_at", "pk"):
        country = sheet.country.code
        for name in sheet.name_list:
            yield name, countries.name(country) or country, country, sheet.recorded_at.date()


def beating(rows: Iterable, beat: Callable[[], None] | None, every: int = 2000) -> Iterator:
    """The rows, calling `beat` every `every` rows (the worker's sign of life)."""
    for i, row in enumerate(rows):
        if beat is not None and i % every == 0:
            beat()
        yield row


def csv_lines(
    petition: Petition, as_of: datetime, beat: Callable[[], None] | None = None
) -> Iterator[str]:
    online, paper = _("online, confirmed by e-mail"), _("on paper")
    rows = ((*row, online) for row in beating(signer_rows(petition, as_of), beat))
    header = [*signer_header(), _("How they signed")]
    yield BOM
    yield from stream_rows(header, rows)
    yield from stream_rows_without_header(
        (name, country, code, "", day.isoformat(), paper)
        for name, country, code, day in paper_names(petition)
    )


def stream_rows_without_header(rows) -> Iterator[str]:
    lines = stream_rows([], rows)
    next(lines)  # the empty header line
    yield from lines


def _write(path: Path, chunks) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "wb") as file:
        for chunk in chunks:
            data = chunk.encode("utf-8")
            file.write(data)
            digest.update(data)
            size += len(data)
    return digest.hexdigest(), size


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


def write_files(
    pack: DeliveryPack, as_of: datetime, beat: Callable[[], None] | None = None
) -> Written:
    """Write the pack's CSV and PDF under a fresh name (one per attempt, so a worker
    thought dead cannot overwrite the files of the one that replaced it)."""
    scratch = Path(settings.VAR_DIR) / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="pack-") as folder:
        return _write_files(pack, as_of, beat, Path(folder))


def _write_files(
    pack: DeliveryPack, as_of: datetime, beat: Callable[[], None] | None, folder: Path
) -> Written:
    # Imported here: fpdf2 and fontTools weigh ~40 MB, which only the writer needs.
    from undersigned.delivery import pdf

    petition = pack.petition
    stem = f"pack-{pack.pk}-{secrets.token_hex(4)}"
    csv_path, pdf_path = folder / "pack.csv", folder / "pack.pdf"

    csv_sha256, csv_bytes = _write(csv_path, blocks(csv_lines(petition, as_of, beat)))
    online = counted_signatures(petition, as_of).count()
    listed = min(online, settings.DELIVERY_PDF_MAX_SIGNERS)
    rows = beating(islice(signer_rows(petition, as_of), listed), beat)
    content = pdf.PackContent(
        site_name=settings.SITE_NAME,
        petition_url=petition.absolute_url(),
        title=petition.title,
        text=petition.text_html,
        addressed_to=addressed_to(pack),
        generated_at=as_of,
        online_count=online,
        paper_count=PaperSheet.objects.of(petition).total(),
        countries=country_totals(petition, as_of),
        signers=((name, country, comment) for name, country, _code, comment, _day in rows),
        listed=listed,
        paper_names=((name, country) for name, country, _code, _day in paper_names(petition)),
        csv_sha256=csv_sha256,
    )
    pdf.render(content, pdf_path)
    pdf_sha256, pdf_bytes = _hash_file(pdf_path)
    try:
        _save(csv_path, pack_file_name(petition.pk, stem, "csv"))
        _save(pdf_path, pack_file_name(petition.pk, stem, "pdf"))
    except BaseException:
        remove_files(petition.pk, stem)
        raise
    return Written(
        stem, online, content.paper_count, listed, pdf_sha256, csv_sha256, pdf_bytes, csv_bytes
    )


def _save(path: Path, name: str) -> None:
    storage = deliveries_storage()
    with open(path, "rb") as file:
        saved = storage.save(name, File(file, name=name))
    if saved != name:  # the stem is random and new: another name means it was taken
        storage.delete(saved)
        raise FileExistsError(name)


def remove_files(petition_id: int, stem: str) -> None:
    if not stem:
        return
    storage = deliveries_storage()
    for kind in ("csv", "pdf"):
        storage.delete(pack_file_name(petition_id, stem, kind))
