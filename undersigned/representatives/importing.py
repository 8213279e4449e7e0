"""Reading a representatives file: `name,role,region_scheme,region_code,email,party,url`.

Every row is checked before anything is written, and a file with a bad row writes
nothing, so a typo never leaves half a parliament imported. A representative is one
(scheme, address): importing the same file again changes nothing, and a corrected file
updates the rows it names. Problems name the line and the column, never the address.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from undersigned.regions.lookups import region_named, scheme_named
from undersigned.representatives.models import Representative
from undersigned.representatives.subscriptions import normalize

COLUMNS = ("name", "role", "region_scheme", "region_code", "email", "party", "url")
REQUIRED = ("name", "region_scheme", "region_code", "email")
LENGTHS = {"name": 150, "role": 200, "region_scheme": 40, "region_code": 40, "email": 254,
           "party": 100, "url": 500}  # fmt: skip
MAX_PROBLEMS = 50  # listed; the rest are counted


class FileProblem(Exception):
    """The file cannot be imported; `problems` are "line N: …" strings."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    schemes: set[str] = field(default_factory=set)


def import_file(path: Path) -> Outcome:
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            return import_rows(lines)
    except (OSError, UnicodeDecodeError) as error:
        raise FileProblem([f"{path}: {error}"]) from None


def import_rows(lines: Iterable[str]) -> Outcome:
    rows = check_rows(csv.reader(lines))
    outcome = Outcome()
    with transaction.atomic():
        for values in rows:
            _save(values, outcome)
    return outcome


def check_rows(reader) -> list[dict[str, str]]:
    """The rows as dicts, every one checked; raises FileProblem listing the bad ones."""
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise FileProblem([f"line 1: missing column(s): {', '.join(missing)}; the header is "
                           f"{','.join(COLUMNS)}"])  # fmt: skip
    rows, problems, seen = [], [], {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        values = {c: (cells[header.index(c)].strip() if header.index(c) < len(cells) else "")
                  for c in COLUMNS}  # fmt: skip
        values["email"] = normalize(values["email"])
        found = _row_problems(values)
        key = (values["region_scheme"], values["email"])
        if not found and key in seen:
            found = [f"the same address and scheme as line {seen[key]}"]
        seen.setdefault(key, number)
        problems += [f"line {number}: {p}" for p in found]
        rows.append(values)
    if problems:
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], f"… and {more} more"]
        raise FileProblem(problems)
    if not rows:
        raise FileProblem(["the file has no representatives after its header"])
    return rows


def _row_problems(values: dict[str, str]) -> list[str]:
    problems = [f"{c}: required" for c in REQUIRED if not values[c]]
    problems += [f"{c}: longer than {n} characters" for c, n in LENGTHS.items()
                 if len(values[c]) > n]  # fmt: skip
    if problems:
        return problems
    scheme, code = values["region_scheme"], values["region_code"]
    if scheme_named(scheme) is None:
        problems.append(f"region_scheme: no scheme “{scheme}” (import_regions creates one)")
    elif region_named(scheme, code) is None:
        problems.append(f"region_code: no region “{code}” in the scheme “{scheme}”")
    try:
        validate_email(values["email"])
    except ValidationError:
        problems.append("email: not an e-mail address")  # the address itself is not repeated
    if values["url"]:
        try:
            URLValidator(schemes=["http", "https"])(values["url"])
        except ValidationError:
            problems.append("url: not a web address starting with https:// or http://")
    return problems


def _save(values: dict[str, str], outcome: Outcome) -> None:
    outcome.schemes.add(values["region_scheme"])
    key = {"region_scheme": values["region_scheme"], "email": values["email"]}
    fields = {c: values[c] for c in COLUMNS if c not in key}
    existing = Representative.objects.filter(**key).first()
    if existing is None:
        Representative.objects.create(**key, **fields)
        outcome.created += 1
    elif any(getattr(existing, c) != v for c, v in fields.items()):
        Representative.objects.filter(pk=existing.pk).update(**fields)
        outcome.updated += 1
    else:
        outcome.unchanged += 1
