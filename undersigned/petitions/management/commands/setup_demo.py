"""First-run set-up for `make run`: a staff account and a demo petition, once.

The demo tells one consistent story, told backwards from the moment it is made: drafted
and submitted, opened OPENED_DAYS_AGO days ago, then signed over the last six days
(signatures/demo.py), with an update, a paper sheet and co-organizers dated after the
opening (each app's demo.py). tests/test_demo.py checks that every date and figure
follows from the data.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from undersigned.petitions import actions
from undersigned.petitions.models import Petition
from undersigned.regions import demo as demo_regions

User = get_user_model()

STAFF_EMAIL = "moderator@example.org"
# Before the first signature (signatures/demo.py spreads them over the last 144 hours), so
# that the chart, the milestones and the updates all come after the opening.
OPENED_DAYS_AGO = 8

DEMO_TEXT = """\
Riverside Library is the only public library within walking distance for 40,000 people. \
Since January it has been closed on Sundays — the one day many working parents, students \
and carers can actually visit.

On weekdays the reading room is full by ten o'clock. Children's story time, the free \
homework club and the computer desks used to apply for jobs are all booked weeks ahead. \
A Sunday opening from 11:00 to 17:00 would cost **less than 2 %** of the library budget.

We urge the City Council and its Culture Committee to:

1. restore Sunday opening hours at Riverside Library from next month;
2. keep the children's section and the computer desks open on those days;
3. publish the library's visitor figures every quarter, so everyone can see the demand.

Libraries are where a city keeps its promise that knowledge is free. Please keep ours open.
"""


class Command(BaseCommand):
    help = "Create the staff account and the demo petition if they do not exist yet."

    def handle(self, *args, **options):
        self.staff_account()
        self.demo_petition()
        self.demo_extras()

    def staff_account(self) -> None:
        password_file = settings.VAR_DIR / "staff-password.txt"
        if not User.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(STAFF_EMAIL, password, name="Moderator")
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(f"{STAFF_EMAIL} {password}\n")
            password_file.chmod(0o600)
        if password_file.exists():
            email, password = password_file.read_text().split()
            self.stdout.write(
                f"Staff sign-in at /accounts/staff-sign-in/: {email} / {password}  "
                f"({password_file})"
            )

    def demo_petition(self) -> None:
        if Petition.objects.exists():
            return
        opened = timezone.now() - timedelta(days=OPENED_DAYS_AGO)
        drafted, submitted = opened - timedelta(days=1, hours=3), opened - timedelta(hours=20)
        organizer, _created = User.objects.get_or_create(
            email="organizer@example.org",
            defaults={"name": "Lena Aramyan", "date_joined": drafted - timedelta(minutes=5)},
        )
        demo_regions.install()  # Riverside's wards: where the demo's signers live
        petition = Petition(
            title="Keep Riverside Library open on Sundays",
            text=DEMO_TEXT,
            goal=100,
            language="en",
            closes_at=opened + timedelta(days=180),
            creator=organizer,
            region_scheme=demo_regions.SCHEME,
        )
        actions.save_draft(
            petition,
            [
                {"name": "City Council", "role": "Riverside City"},
                {"name": "Culture Committee", "role": "Riverside City Council"},
            ],
        )
        Petition.objects.filter(pk=petition.pk).update(created_at=drafted)
        actions.submit_petition(petition, submitted, gather_supporters=False)
        moderator = User.objects.filter(is_superuser=True).first()
        actions.approve_petition(petition, moderator, opened)
        self.stdout.write(f"Demo petition: {petition.absolute_url()}")

    def demo_extras(self) -> None:
        """Each app that has something to show on the demo petition does it in its
        `demo.populate(petition)`, which is safe to run again."""
        petition = Petition.objects.order_by("pk").first()
        if petition is None:
            return
        for config in apps.get_app_configs():
            if config.name.startswith("undersigned.") and module_has_submodule(
                config.module, "demo"
            ):
                import_module(f"{config.name}.demo").populate(petition)
