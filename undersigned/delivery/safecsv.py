"""CSV that spreadsheets cannot be tricked by: a cell starting with = + - @ (or a tab or
carriage return) would be run as a formula, so it is prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def stream_rows(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield CSV text line by line (for StreamingHttpResponse), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()
