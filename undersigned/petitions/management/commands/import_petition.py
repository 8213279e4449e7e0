"""Create a petition from a Markdown file with a small front matter:

---
title: Keep Riverside Library open on Sundays
goal: 25000
language: en
closes: 2027-06-30
creator: organizer@example.org
creator_name: Lena Aramyan
organisation: Friends of Riverside Library
targets:
  - name: City Council
    role: Riverside
  - Culture Committee, Riverside City Council
---
The text, in Markdown…

It makes a draft (or, with --open, an open petition) and says where it is, who can see it
and what to do next: the operator who runs it is often new to the site.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.urls import reverse
from django.utils.http import urlencode

from undersigned.petitions import actions, importing
from undersigned.petitions.models import InvalidTransition, Petition

OUTBOX = "undersigned.lib.outbox.OutboxBackend"


class Command(BaseCommand):
    help = "Create a petition (a draft, or open with --open) from a Markdown file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--creator", help="organizer's e-mail (else `creator:` in the file)")
        parser.add_argument(
            "--open", action="store_true", help="open it for signing at once, as a moderator"
        )

    def handle(self, *args, file: Path, creator: str | None, open: bool, **options):
        try:
            found = importing.read(file, creator)
            moderator = self.moderator() if open else None
            petition, again = actions.import_petition(
                found.petition, found.targets, found.creator_email, moderator
            )
        except importing.FileProblem as problem:
            raise CommandError(str(problem)) from None
        except InvalidTransition as error:
            raise CommandError(" ".join(error.messages)) from None
        except DatabaseError as error:
            raise CommandError(
                f"The database is not ready ({error}): run `make run` once, or "
                "`.venv/bin/python manage.py migrate`."
            ) from None
        self.stdout.write(report(petition, file, again))

    def moderator(self):
        staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")
        if not staff.exists():
            raise CommandError("--open needs a moderator (staff) account: run `make run` once.")
        return staff.first()


def report(petition: Petition, file: Path, again: bool) -> str:
    """What was made, where it is, who can see it and what to do next."""
    started = petition.started_by or petition.organisation
    if petition.started_by and petition.organisation:
        started = f"{petition.started_by} ({petition.organisation})"
    lines = [
        f"{'Updated' if again else 'Made'} petition {petition.pk}"
        f" ({petition.get_state_display()}): {petition.title}",
        f"  Started by: {started} <{petition.creator.email}>",
        f"  To: {'; '.join(_target(target) for target in petition.targets.all())}",
        f"  Address: {petition.absolute_url()}",
        "",
    ]
    if petition.state == Petition.State.OPEN:
        lines += [
            "It is open: anyone can see and sign it at that address, and the home page",
            "lists it. Its organizer is e-mailed that it opened.",
        ]
        return "\n".join(lines)
    site = settings.SITE_URL
    sign_in = reverse("accounts:sign_in") + "?" + urlencode({"next": petition.get_absolute_url()})
    lines += [
        "Until a moderator opens it, only its organizer and moderators see it, once signed",
        'in; anyone else gets "Page not found" at that address. To see it as its organizer,',
        f"sign in as {petition.creator.email} at",
        f"  {site}{sign_in}",
    ]
    if settings.EMAIL_BACKEND == OUTBOX:
        lines.append(f"and open the link that arrives in the outbox, {site}{reverse('outbox')}")
    if petition.state == Petition.State.DRAFT:
        lines.append('Read it through, then press "Submit for moderation" on its page.')
    lines += [
        f"Moderators approve petitions at {site}{reverse('moderation:queue')}",
        "",
        "To open it for signing at once instead, import it again with --open (the same",
        "title and organizer update this petition rather than make another one):",
        f"  .venv/bin/python manage.py import_petition {file} --open",
    ]
    return "\n".join(lines)


def _target(target) -> str:
    return f"{target.name} ({target.role})" if target.role else target.name
