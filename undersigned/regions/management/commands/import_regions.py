"""`manage.py import_regions SCHEME FILE.csv [--name NAME]`: add or update a scheme's
regions from a CSV file with the columns code,name,country,parent[,population]."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand

from undersigned.regions.importing import import_regions
from undersigned.regions.management.commands._report import run


class Command(BaseCommand):
    help = "Add or update a region scheme's regions (CSV: code,name,country,parent[,population])."

    def add_arguments(self, parser):
        parser.add_argument("scheme", help="the scheme's code, e.g. uk-constituencies")
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", default="", help="the scheme's name, as organizers see it")

    def handle(self, *args, scheme: str, file: Path, name: str, **options):
        run(self, file, "regions", "line", partial(import_regions, scheme, name=name))
