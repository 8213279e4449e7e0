"""Make a partner's API key and print it (the only time it is shown)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from undersigned.api.models import ApiKey
from undersigned.petitions.models import Petition


class Command(BaseCommand):
    help = "Create an API key for a partner; without --petition it may sign any petition."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The partner's name, as staff will see it.")
        parser.add_argument(
            "--petition",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help="A petition the key may sign (repeat for several).",
        )
        parser.add_argument("--rate-limit", type=int, default=60, help="Requests per minute.")

    def handle(self, *args, name: str, petition: list[int], rate_limit: int, **options) -> None:
        petitions = list(Petition.objects.filter(pk__in=petition))
        missing = set(petition) - {p.pk for p in petitions}
        if missing:
            raise CommandError(f"No petition with id {', '.join(map(str, sorted(missing)))}.")
        if rate_limit < 1:
            raise CommandError("--rate-limit must be at least 1.")
        key = ApiKey(name=name, all_petitions=not petitions, rate_limit=rate_limit)
        raw = key.new_secret()
        with transaction.atomic():
            key.save()
            key.petitions.set(petitions)
        scope = ", ".join(f"#{p.pk}" for p in petitions) or "all petitions"
        self.stderr.write(f"Key for {name} ({scope}, {rate_limit}/min). It is shown only once:")
        self.stdout.write(raw)
