"""Importing schemes from files: regions and postcodes (CSV), boundaries (GeoJSON).

Every row is checked; a bad one is reported by its line (or feature) number and
skipped, the good ones are imported, and the report says how many of each, so an
operator can fix the file and run the same command again: an import is an upsert,
so running it twice leaves what running it once did.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.db import connection, transaction
from django.utils.text import slugify
from django_countries import countries

from undersigned.regions import geometry, lookups
from undersigned.regions.models import SUBDIVISIONS, Boundary, Postcode, Region, Scheme

BATCH = 5000  # postcode rows per statement batch and transaction: memory stays flat
SHOWN = 100  # bad rows listed one by one; the rest are only counted
COUNTRY_CODES = frozenset(code for code, _name in countries)
REGION_COLUMNS = ("code", "name", "country", "parent")
POSTCODE_COLUMNS = ("postcode", "code")


class ImportProblem(ValueError):
    """The whole file cannot be imported (no such scheme, wrong columns…)."""


@dataclass
class Report:
    imported: int = 0
    bad_count: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # the first SHOWN

    def refuse(self, where: int, why: str) -> None:
        self.bad_count += 1
        if len(self.bad) < SHOWN:
            self.bad.append((where, why))


def _scheme_code(code: str) -> str:
    if not code or slugify(code) != code or len(code) > 40:
        raise ImportProblem(
            f"{code!r} is not a scheme code: use lower-case letters, digits and hyphens, "
            "up to 40 characters, like uk-constituencies."
        )
    return code


def _existing_scheme(code: str) -> Scheme:
    scheme = Scheme.objects.filter(code=_scheme_code(code)).first()
    if scheme is None:
        raise ImportProblem(f"There is no scheme {code!r}: import its regions first.")
    return scheme


def _rows(file: IO[str], required: tuple[str, ...], optional: tuple[str, ...] = ()):
    """(line number, {column: value}) for each row of a CSV file with a header line."""
    reader = csv.reader(file)
    header = [name.strip().lower() for name in next(reader, [])]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    missing = [name for name in required if name not in header]
    if missing:
        raise ImportProblem(
            f"The first line must name the columns {', '.join(required + optional)} "
            f"(missing: {', '.join(missing)})."
        )
    wanted = {name: header.index(name) for name in required + optional if name in header}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # blank lines are not rows
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        yield reader.line_num, {name: row[i].strip() for name, i in wanted.items()}


def _region_code(value: str) -> str | None:
    if not value or len(value) > 40 or any(ch.isspace() or ch in ",;\"'<>" for ch in value):
        return None
    return value


def import_regions(code: str, file: IO[str], name: str = "") -> Report:
    """Add or update the regions of a scheme (creating the scheme) from CSV rows
    `code,name,country,parent[,population]`. A parent must be a region of the file or
    of the scheme."""
    if _scheme_code(code) == SUBDIVISIONS:
        raise ImportProblem("The subdivisions scheme is built in: choose another code.")
    report, found, lines = Report(), {}, {}
    for line, row in _rows(file, REGION_COLUMNS, ("population",)):
        region, why = _region(row)
        if region is None:
            report.refuse(line, why)
        elif region.code in found:
            report.refuse(line, f"the code {region.code} is already on line {lines[region.code]}")
        else:
            found[region.code], lines[region.code] = region, line
    scheme = Scheme.objects.filter(code=code).first()
    known = set(found) | set(scheme.regions.values_list("code", flat=True) if scheme else ())
    for region_code, region in list(found.items()):
        if region.parent and region.parent not in known:
            report.refuse(lines[region_code], f"the parent {region.parent} is not a region")
            del found[region_code]
    report.bad.sort()
    with transaction.atomic():
        scheme, _created = Scheme.objects.get_or_create(code=code, defaults={"name": name or code})
        if name and scheme.name != name:
            Scheme.objects.filter(pk=scheme.pk).update(name=name)
        for region in found.values():
            region.scheme = scheme
        Region.objects.bulk_create(
            found.values(),
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["scheme", "code"],
            update_fields=["name", "country", "parent", "population"],
        )
    report.imported = len(found)
    lookups.forget(code)
    return report


def _region(row: dict[str, str]) -> tuple[Region | None, str]:
    code = _region_code(row["code"])
    if code is None:
        return None, "the code must be 1 to 40 characters without spaces, commas or quotes"
    if not row["name"] or len(row["name"]) > 200:
        return None, "the name must be 1 to 200 characters"
    country = row["country"].upper()
    if country not in COUNTRY_CODES:
        return None, f"{row['country']!r} is not a two-letter ISO country code"
    if row["parent"] and _region_code(row["parent"]) is None:
        return None, "the parent must be a region's code, or empty"
    population = None
    if row.get("population"):
        if not row["population"].isdigit() or len(row["population"]) > 12:
            return None, f"the population {row['population']!r} is not a whole number"
        population = int(row["population"])
    region = Region(
        code=code, name=row["name"], country=country, parent=row["parent"], population=population
    )
    return region, ""


# Plain SQL, which SQLite (3.24+) and PostgreSQL both take: building a model instance per
# row made a million-row file several times slower. A row that already says the same is
# not rewritten (PostgreSQL would write a new row version for nothing).
UPSERT_POSTCODE = (
    "INSERT INTO {table} (scheme_id, postcode, region) VALUES (%s, %s, %s) "
    "ON CONFLICT (scheme_id, postcode) DO UPDATE SET region = excluded.region "
    "WHERE {table}.region <> excluded.region"
)


def import_postcodes(code: str, file: IO[str]) -> Report:
    """Add or update a scheme's postcodes from CSV rows `postcode,code`, streaming: a
    batch of BATCH rows at a time, each its own transaction. A postcode given twice
    takes the region of its last line."""
    scheme = _existing_scheme(code)
    regions = set(lookups.regions_of(code)) if code == SUBDIVISIONS else _codes(scheme)
    report = Report()
    sql = UPSERT_POSTCODE.format(table=connection.ops.quote_name(Postcode._meta.db_table))
    for batch in _batches(_postcode_rows(file, regions, report), BATCH):
        # A dict: one statement must not upsert the same postcode twice (PostgreSQL).
        rows = {postcode: region for postcode, region in batch}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(scheme.pk, p, r) for p, r in rows.items()])
        report.imported += len(batch)
    lookups.forget(code)
    return report


def _codes(scheme: Scheme) -> set[str]:
    return set(Region.objects.filter(scheme=scheme).values_list("code", flat=True))


def _postcode_rows(file: IO[str], regions: set[str], report: Report) -> Iterator[tuple[str, str]]:
    for line, row in _rows(file, POSTCODE_COLUMNS):
        postcode = lookups.normalize_postcode(row["postcode"])
        if not postcode or len(postcode) > 16:
            report.refuse(line, f"{row['postcode']!r} is not a postcode (letters and digits)")
        elif row["code"] not in regions:
            report.refuse(line, f"{row['code']!r} is not a region of this scheme")
        else:
            yield postcode, row["code"]


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_boundaries(code: str, file: IO[str], schematic: bool = False) -> Report:
    """Replace a scheme's map with the outlines of a GeoJSON FeatureCollection whose
    features carry `properties.code`. The file is the whole map: the drawing's scale
    comes from all its features together (geometry.draw)."""
    scheme = _existing_scheme(code)
    regions = set(lookups.regions_of(code))
    try:
        data = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ImportProblem(f"The file is not JSON: {error}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not features:
        raise ImportProblem("The file must be a GeoJSON FeatureCollection with features.")
    report, outlines, seen = Report(), {}, {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        region = str((properties or {}).get("code") or "")
        if region not in regions:
            report.refuse(number, f"properties.code {region!r} is not a region of this scheme")
            continue
        if region in seen:
            report.refuse(number, f"{region} is already drawn by feature {seen[region]}")
            continue
        try:
            outlines[region] = geometry.polygons_of(feature.get("geometry"))
        except geometry.BadGeometry as error:
            report.refuse(number, str(error))
            continue
        seen[region] = number
    paths, width, height = geometry.draw(outlines)
    with transaction.atomic():
        Boundary.objects.filter(scheme=scheme).delete()
        Boundary.objects.bulk_create(
            Boundary(scheme=scheme, region=region, path=path) for region, path in paths.items()
        )
        Scheme.objects.filter(pk=scheme.pk).update(
            map_width=width, map_height=height, schematic_map=schematic
        )
    report.imported = len(paths)
    lookups.forget(code)
    return report
