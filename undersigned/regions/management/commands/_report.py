"""What the three import commands share: open the file, run the import, report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError

from undersigned.regions.importing import SHOWN, ImportProblem, Report


def run(
    command: BaseCommand, path: Path, what: str, where: str, importer: Callable[[IO[str]], Report]
) -> None:
    """Import `path` with `importer`, list its bad rows (the first SHOWN), then a summary.
    Any bad row makes the command fail (exit 1) after the good ones are in, so a script
    notices; fixing the file and running it again is safe."""
    try:
        # newline="": the csv module reads line ends inside quoted fields itself.
        with path.open(encoding="utf-8-sig", newline="") as file:
            report = importer(file)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text.") from None
    except ImportProblem as problem:
        raise CommandError(str(problem)) from None
    for number, why in report.bad:
        command.stderr.write(f"{path}: {where} {number}: {why}")
    if report.bad_count > SHOWN:
        command.stderr.write(f"… and {report.bad_count - SHOWN} more bad rows.")
    command.stdout.write(f"Imported {report.imported} {what} from {path}.")
    if report.bad_count:
        raise CommandError(f"{report.bad_count} bad {where}s skipped; fix them and run it again.")
