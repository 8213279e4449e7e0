"""`manage.py import_postcodes SCHEME FILE.csv`: add or update which region each postcode
is in (CSV: postcode,code), streaming, so a file of millions of rows fits in memory."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand

from undersigned.regions.importing import import_postcodes
from undersigned.regions.management.commands._report import run


class Command(BaseCommand):
    help = "Add or update a region scheme's postcodes (CSV: postcode,code)."

    def add_arguments(self, parser):
        parser.add_argument("scheme")
        parser.add_argument("file", type=Path)

    def handle(self, *args, scheme: str, file: Path, **options):
        run(self, file, "postcodes", "line", partial(import_postcodes, scheme))
