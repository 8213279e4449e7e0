"""Exported cells never run as spreadsheet formulas."""

import csv
import io

import pytest

from undersigned.delivery.safecsv import neutralise, stream_rows


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_formula_starts_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Anahit", "O'Brien", "a=b", "", None, 42])
def test_ordinary_cells_are_unchanged(cell):
    assert neutralise(cell) == ("" if cell is None else str(cell))


def test_streamed_csv_parses_back_with_every_cell_safe():
    text = "".join(stream_rows(["name", "comment"], [["=cmd|' /C calc'!A0", 'hi, "there"']]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "comment"], ["'=cmd|' /C calc'!A0", 'hi, "there"']]
