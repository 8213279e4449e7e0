"""The demo's region scheme, for `make run`: the six wards of Riverside, the fictional
city of the demo petition, with postcodes and a map.

The map is schematic (a grid of wards either side of the river) and says so on every
page that draws it: Riverside has no real borders to show. The files here are also the
examples in docs/regions.md.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from undersigned.regions import importing
from undersigned.regions.models import Scheme

HERE = Path(__file__).parent
SCHEME = "riverside-wards"
NAME = "Riverside wards (demo)"
QUORUM = 5  # signers in a ward before its councillors are asked: reached in the demo


def install() -> Scheme:
    """Import the scheme's regions, postcodes and map once (a no-op when they exist)."""
    scheme = Scheme.objects.filter(code=SCHEME).first()
    if scheme is not None and scheme.has_map:
        return scheme
    with open(HERE / "regions.csv", encoding="utf-8", newline="") as file:
        importing.import_regions(SCHEME, file, name=NAME)
    with open(HERE / "postcodes.csv", encoding="utf-8", newline="") as file:
        importing.import_postcodes(SCHEME, file)
    with open(HERE / "boundaries.geojson", encoding="utf-8") as file:
        importing.import_boundaries(SCHEME, file, schematic=True)
    Scheme.objects.filter(code=SCHEME).update(quorum=QUORUM)
    return Scheme.objects.get(code=SCHEME)


@cache
def postcodes() -> list[tuple[str, str]]:
    """(postcode, ward code) of every demo postcode, for the demo's signers."""
    with open(HERE / "postcodes.csv", encoding="utf-8", newline="") as file:
        return [(row["postcode"], row["code"]) for row in csv.DictReader(file)]


def populate(petition) -> None:
    """setup_demo runs each app's populate(); the scheme is what this one has to give
    (the petition names it already: setup_demo.py)."""
    install()
