"""`manage.py import_boundaries SCHEME FILE.geojson [--schematic]`: replace a scheme's map
with the outlines of a GeoJSON FeatureCollection whose features carry properties.code."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand

from undersigned.regions.importing import import_boundaries
from undersigned.regions.management.commands._report import run


class Command(BaseCommand):
    help = "Replace a region scheme's map (GeoJSON FeatureCollection, properties.code)."

    def add_arguments(self, parser):
        parser.add_argument("scheme")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--schematic",
            action="store_true",
            help="the shapes are a sketch, not real borders: the map says so",
        )

    def handle(self, *args, scheme: str, file: Path, schematic: bool, **options):
        importer = partial(import_boundaries, scheme, schematic=schematic)
        run(self, file, "region outlines", "feature", importer)
