"""An operator imports a region scheme: its regions, postcodes and map, from files."""

from __future__ import annotations

import json
import resource
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from undersigned.regions import lookups
from undersigned.regions.models import Boundary, Postcode, Region, Scheme

REGIONS = """code,name,country,parent,population
GB-N,North Ward,GB,,12000
GB-S,South Ward,GB,,
GB-S1,South Ward East,GB,GB-S,3000
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue() + "\n" + str(failure.value)


def square(west: float, south: float, size: float = 1.0) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size],
            [west, south + size], [west, south]]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code, geometry) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


@pytest.fixture
def wards(db, tmp_path) -> Scheme:
    run("import_regions", "wards", write(tmp_path, "regions.csv", REGIONS), "--name", "Wards")
    return Scheme.objects.get(code="wards")


def test_importing_regions_creates_the_scheme_with_every_good_row(wards):
    assert wards.name == "Wards"
    rows = {r.code: r for r in Region.objects.filter(scheme=wards)}
    assert set(rows) == {"GB-N", "GB-S", "GB-S1"}
    assert rows["GB-N"].population == 12000 and rows["GB-S"].population is None
    assert rows["GB-S1"].parent == "GB-S" and rows["GB-S1"].country == "GB"
    assert lookups.region_choices("wards", "GB")[0] == ("GB-N", "North Ward")


def test_bad_region_rows_are_reported_by_line_and_the_good_ones_imported(db, tmp_path):
    text = (
        "code,name,country,parent,population\n"
        "A,Alpha,GB,,100\n"  # line 2: good
        "B,,GB,,\n"  # line 3: no name
        "C,Gamma,XX,,\n"  # line 4: no such country
        "D,Delta,GB,NOPE,\n"  # line 5: unknown parent
        "A,Alpha again,GB,,\n"  # line 6: duplicate code
        "E,Epsilon,GB,,lots\n"  # line 7: population not a number
        "F,Phi,fr,A,7\n"  # line 8: good, lower-case country
    )
    out, err = run_failing("import_regions", "bad", write(tmp_path, "r.csv", text))
    for line, words in [(3, "name"), (4, "country"), (5, "parent"), (6, "already on line 2"),
                        (7, "population")]:  # fmt: skip
        assert f"line {line}: " in err and words in err.split(f"line {line}: ")[1].splitlines()[0]
    assert "line 2:" not in err and "line 8:" not in err
    assert "Imported 2 regions" in out and "5 bad lines" in err
    assert set(Region.objects.values_list("code", "country")) == {("A", "GB"), ("F", "FR")}


def test_a_file_without_the_columns_is_refused_as_a_whole(db, tmp_path):
    _out, err = run_failing("import_regions", "x", write(tmp_path, "r.csv", "code,title\nA,B\n"))
    assert "must name the columns" in err and "name, country, parent" in err
    assert not Scheme.objects.filter(code="x").exists()


def test_the_built_in_scheme_cannot_be_overwritten(db, tmp_path):
    _out, err = run_failing("import_regions", "subdivisions", write(tmp_path, "r.csv", REGIONS))
    assert "built in" in err


def test_importing_regions_again_updates_rather_than_doubles(wards, tmp_path):
    changed = REGIONS.replace("North Ward,GB,,12000", "North Ward (new),GB,,12500")
    run("import_regions", "wards", write(tmp_path, "again.csv", changed))
    run("import_regions", "wards", write(tmp_path, "again.csv", changed))
    assert Region.objects.filter(scheme=wards).count() == 3
    north = Region.objects.get(scheme=wards, code="GB-N")
    assert (north.name, north.population) == ("North Ward (new)", 12500)


def test_postcodes_map_to_regions_of_the_signers_country_only(wards, tmp_path):
    postcodes = "postcode,code\nab1 2cd,GB-N\nAB1-3CD,GB-S1\n"
    out, _err = run("import_postcodes", "wards", write(tmp_path, "p.csv", postcodes))
    assert "Imported 2 postcodes" in out
    assert lookups.region_for_postcode("wards", "GB", "AB1 2CD") == "GB-N"
    assert lookups.region_for_postcode("wards", "GB", " ab12cd ") == "GB-N"
    assert lookups.region_for_postcode("wards", "GB", "AB1 3CD") == "GB-S1"
    # The same characters typed by someone in another country are not this region.
    assert lookups.region_for_postcode("wards", "FR", "AB1 2CD") == ""
    assert lookups.region_for_postcode("wards", "GB", "ZZ9 9ZZ") == ""


def test_bad_postcode_rows_are_reported_by_line_and_reimport_is_idempotent(wards, tmp_path):
    text = "postcode,code\nAB1,GB-N\n,GB-N\nAB2,GB-X\nAB3,GB-S\n"
    path = write(tmp_path, "p.csv", text)
    out, err = run_failing("import_postcodes", "wards", path)
    assert "line 3:" in err and "line 4:" in err and "'GB-X' is not a region" in err
    assert "Imported 2 postcodes" in out and "2 bad lines" in err
    run_failing("import_postcodes", "wards", path)
    run("import_postcodes", "wards", write(tmp_path, "moved.csv", "postcode,code\nAB1,GB-S\n"))
    assert dict(Postcode.objects.values_list("postcode", "region")) == {
        "AB1": "GB-S",
        "AB3": "GB-S",
    }


def test_postcodes_need_an_existing_scheme(db, tmp_path):
    _out, err = run_failing("import_postcodes", "nope", write(tmp_path, "p.csv", "postcode,code\n"))
    assert "There is no scheme 'nope'" in err


def test_a_large_postcode_file_imports_in_bounded_memory(wards, tmp_path):
    """100,000 rows here; `python -m bench.postcodes` imports a million (28 s on SQLite,
    51 s on PostgreSQL: too slow for every test run), and the peak resident memory grew
    by under 1 MB on the development machine: it streams, in batches of 5,000 rows."""
    rows = 100_000
    path = tmp_path / "postcodes.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("postcode,code\n")
        for n in range(rows):
            file.write(f"P{n:07d},{'GB-N' if n % 2 else 'GB-S'}\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.monotonic()
    out, _err = run("import_postcodes", "wards", path)
    seconds = time.monotonic() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert f"Imported {rows} postcodes" in out
    assert Postcode.objects.filter(scheme=wards).count() == rows
    assert lookups.region_for_postcode("wards", "GB", "P0099999") == "GB-N"
    # Holding every row as Python objects would take tens of MB for this file alone.
    assert grown_mb < 25, f"peak memory grew by {grown_mb:.0f} MB in {seconds:.1f} s"


def test_boundaries_become_one_path_per_region_in_one_drawing(wards, tmp_path):
    collection = {"type": "FeatureCollection", "features": [
        feature("GB-N", square(0, 1)),
        feature("GB-S", {"type": "MultiPolygon", "coordinates": [
            square(0, 0)["coordinates"], square(1, 0, 0.5)["coordinates"]]}),
    ]}  # fmt: skip
    out, _err = run(
        "import_boundaries", "wards", write(tmp_path, "b.geojson", json.dumps(collection))
    )
    assert "Imported 2 region outlines" in out
    paths = dict(Boundary.objects.values_list("region", "path"))
    assert set(paths) == {"GB-N", "GB-S"}
    assert paths["GB-N"].startswith("M") and paths["GB-N"].endswith("Z")
    assert paths["GB-S"].count("M") == 2  # both parts of the MultiPolygon
    wards.refresh_from_db()
    assert wards.has_map and not wards.schematic_map
    # 1.5 by 2 degrees near the equator: a drawing taller than wide, at most 1000 units
    assert 0 < wards.map_width < wards.map_height <= 1000


def test_bad_features_are_reported_by_number_and_the_map_replaced_on_reimport(wards, tmp_path):
    collection = {"type": "FeatureCollection", "features": [
        feature("GB-N", square(0, 0)),
        feature("GB-X", square(1, 0)),  # 2: not a region
        feature("GB-S", {"type": "Point", "coordinates": [0, 0]}),  # 3: not a polygon
        feature("GB-S1", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),  # 4: too short
        feature("GB-N", square(2, 0)),  # 5: drawn twice
    ]}  # fmt: skip
    path = write(tmp_path, "b.geojson", json.dumps(collection))
    out, err = run_failing("import_boundaries", "wards", path, "--schematic")
    for number in (2, 3, 4, 5):
        assert f"feature {number}: " in err
    assert "feature 1:" not in err and "Imported 1 region outlines" in out
    assert list(Boundary.objects.values_list("region", flat=True)) == ["GB-N"]
    wards.refresh_from_db()
    assert wards.schematic_map
    only_south = {"type": "FeatureCollection", "features": [feature("GB-S", square(0, 0))]}
    run("import_boundaries", "wards", write(tmp_path, "c.geojson", json.dumps(only_south)))
    assert list(Boundary.objects.values_list("region", flat=True)) == ["GB-S"]


def test_a_file_that_is_not_a_feature_collection_is_refused(wards, tmp_path):
    _out, err = run_failing("import_boundaries", "wards", write(tmp_path, "b.json", "[1, 2"))
    assert "not JSON" in err
    _out, err = run_failing("import_boundaries", "wards", write(tmp_path, "b.json", "{}"))
    assert "FeatureCollection" in err


def test_the_built_in_scheme_offers_every_countrys_subdivisions(db):
    armenia = dict(lookups.region_choices("subdivisions", "AM"))
    assert armenia["AM-ER"] == "Erevan" and len(armenia) == 11
    assert "Paris" in dict(lookups.region_choices("subdivisions", "FR")).values()
    assert lookups.region_choices("subdivisions", "ZZ") == []
    assert not lookups.has_postcodes("subdivisions")
