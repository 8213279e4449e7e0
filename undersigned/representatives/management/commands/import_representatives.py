"""manage.py import_representatives FILE.csv

Columns: name,role,region_scheme,region_code,email,party,url (docs/representatives.md).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from undersigned.representatives.importing import FileProblem, import_file


class Command(BaseCommand):
    help = "Create or update representatives from a CSV file (the same file twice: no change)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            outcome = import_file(file)
        except FileProblem as problem:
            raise CommandError(
                "Nothing was imported. Fix these rows and run it again:\n" + str(problem)
            ) from None
        self.stdout.write(
            f"{outcome.created} created, {outcome.updated} updated, {outcome.unchanged} "
            f"unchanged (schemes: {', '.join(sorted(outcome.schemes))})."
        )
