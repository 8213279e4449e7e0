"""`manage.py import_representatives FILE.csv`: checked row by row, all or nothing,
idempotent, and never repeating an address in what it prints."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from representatives_support import NORTH, SCHEME, SOUTH, make_scheme

from undersigned.representatives.models import Representative

pytestmark = pytest.mark.django_db

HEADER = "name,role,region_scheme,region_code,email,party,url\n"
GOOD = (
    HEADER
    + f"Alice Northcote,Councillor,{SCHEME},{NORTH},Alice@Council.example.org,Green,"
    + "https://example.org/a\n"
    + f"Carol South,Councillor,{SCHEME},{SOUTH},carol@council.example.org,,\n"
)


@pytest.fixture(autouse=True)
def scheme(db):
    return make_scheme()


def run(tmp_path, text: str) -> str:
    path = tmp_path / "representatives.csv"
    path.write_text(text, encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("import_representatives", str(path), stdout=out)
    return out.getvalue()


def test_a_file_creates_its_representatives_with_lower_case_addresses(tmp_path):
    assert "2 created, 0 updated, 0 unchanged" in run(tmp_path, GOOD)
    alice = Representative.objects.get(name="Alice Northcote")
    assert (alice.region_scheme, alice.region_code, alice.party) == (SCHEME, NORTH, "Green")
    assert alice.email == "alice@council.example.org"
    assert alice.url == "https://example.org/a"


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    run(tmp_path, GOOD)
    before = list(Representative.objects.values().order_by("pk"))
    assert "0 created, 0 updated, 2 unchanged" in run(tmp_path, GOOD)
    assert list(Representative.objects.values().order_by("pk")) == before


def test_a_corrected_row_updates_the_representative_it_names(tmp_path):
    run(tmp_path, GOOD)
    changed = GOOD.replace("Green", "Independent").replace(
        "Alice Northcote", "Alice Northcote-Smith"
    )
    assert "0 created, 1 updated, 1 unchanged" in run(tmp_path, changed)
    alice = Representative.objects.get(email="alice@council.example.org")
    assert (alice.name, alice.party) == ("Alice Northcote-Smith", "Independent")
    assert Representative.objects.count() == 2


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path):
    bad = (
        HEADER
        + f"Alice Northcote,Councillor,{SCHEME},{NORTH},alice@council.example.org,,\n"
        + f",Councillor,{SCHEME},{NORTH},nobody@council.example.org,,\n"  # line 3: no name
        + f"Dan,Mayor,no-such-scheme,{NORTH},dan@council.example.org,,\n"  # line 4
        + f"Eve,Mayor,{SCHEME},ZZ,eve@council.example.org,,\n"  # line 5: no such region
        + f"Fay,Mayor,{SCHEME},{SOUTH},not-an-address,,\n"  # line 6
        + f"Gil,Mayor,{SCHEME},{SOUTH},gil@council.example.org,,javascript:alert(1)\n"  # 7
        + f"Alice again,Councillor,{SCHEME},{SOUTH},ALICE@council.example.org,,\n"  # 8
    )
    with pytest.raises(CommandError) as caught:
        run(tmp_path, bad)
    message = str(caught.value)
    assert "Nothing was imported" in message
    assert "line 3: name: required" in message
    assert "line 4: region_scheme: no scheme “no-such-scheme”" in message
    assert "line 5: region_code: no region “ZZ”" in message
    assert "line 6: email: not an e-mail address" in message
    assert "line 7: url:" in message
    assert "line 8: the same address and scheme as line 2" in message
    assert "line 2:" not in message
    assert "not-an-address" not in message and "@" not in message  # addresses never echoed
    assert Representative.objects.count() == 0


def test_a_file_without_the_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="line 1: missing column"):
        run(tmp_path, "name,email\nAlice,alice@example.org\n")
    with pytest.raises(CommandError, match="no representatives"):
        run(tmp_path, HEADER)
