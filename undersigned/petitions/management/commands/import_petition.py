"""Create a petition from a Markdown file with a small front matter.

---
title: Keep Riverside Library open on Sundays
goal: 25000
language: en
closes: 2027-06-30
creator: organizer@example.org
targets:
  - name: City Council
    role: Riverside
  - Culture Committee, Riverside City Council
---
The text, in Markdown…
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import frontmatter
import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from undersigned.petitions import actions
from undersigned.petitions.models import Petition

User = get_user_model()


def parse_targets(raw) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise CommandError("targets: list at least one decision maker (name, and a role).")
    targets = []
    for item in raw:
        if isinstance(item, dict) and item.get("name"):
            targets.append({"name": str(item["name"]), "role": str(item.get("role", ""))})
        elif isinstance(item, str) and item.strip():
            name, _comma, role = item.partition(",")
            targets.append({"name": name.strip(), "role": role.strip()})
        else:
            raise CommandError(f"targets: {item!r} has no name.")
    return targets


def parse_closing(raw) -> datetime | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        return raw if timezone.is_aware(raw) else timezone.make_aware(raw)
    if isinstance(raw, date):
        return timezone.make_aware(datetime.combine(raw, time(23, 59)))
    raise CommandError(f"closes: {raw!r} is not a date like 2027-06-30.")


class Command(BaseCommand):
    help = "Create a petition (a draft, or open with --open) from a Markdown file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--creator", help="organizer's e-mail (else `creator:` in the file)")
        parser.add_argument("--open", action="store_true", help="approve it at once (as staff)")

    def handle(self, *args, file: Path, creator: str | None, open: bool, **options):
        try:
            post = frontmatter.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        except yaml.YAMLError as error:
            raise CommandError(f"The front matter of {file} is not valid YAML: {error}") from None
        meta = post.metadata
        email = creator or meta.get("creator")
        if not email:
            raise CommandError("Name the organizer: --creator EMAIL or `creator:` in the file.")
        user, _new = User.objects.get_or_create(email=str(email).strip().lower())
        try:
            goal = int(meta.get("goal", 1000))
        except (TypeError, ValueError):
            raise CommandError(f"goal: {meta.get('goal')!r} is not a number.") from None
        petition = Petition(
            title=str(meta.get("title", "")).strip(),
            text=post.content.strip(),
            goal=goal,
            language=str(meta.get("language", "en")),
            closes_at=parse_closing(meta.get("closes")),
            creator=user,
        )
        targets = parse_targets(meta.get("targets"))
        try:
            petition.full_clean(exclude=["creator", "slug", "text_html"])
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(f"The petition is not valid: {problems}") from None
        actions.save_draft(petition, targets)
        if open:
            moderator = User.objects.filter(is_staff=True).order_by("pk").first()
            if moderator is None:
                raise CommandError("--open needs a staff account (run `make run` once).")
            actions.submit_petition(petition)
            actions.approve_petition(petition, moderator)
        petition.refresh_from_db()
        self.stdout.write(f"Petition {petition.pk} ({petition.state}): {petition.absolute_url()}")
