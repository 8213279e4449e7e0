"""Hourly trending detection: address blocks and e-mail domains that sign one open
petition unusually often, recorded for the fraud page and e-mailed to moderators.

1. Count, per open petition, the signatures of the last hour by address block and by
   e-mail domain (invalidated ones are already dealt with; held ones still count here,
   a held campaign is still a campaign). Very common domains are exempt.
2. Record each one above the threshold as an alert for the current clock hour. The
   unique key (petition, kind, value, hour) makes a second run in the same hour, or a
   run in parallel, create nothing: only the run that inserts a row reports it.
3. Queue one e-mail per moderator listing the new alerts, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from undersigned.accounts.models import User
from undersigned.lib.emails import queue_email
from undersigned.moderation.models import TrendingAlert
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature

FIELDS = {TrendingAlert.Kind.IP_BLOCK: "ip_block", TrendingAlert.Kind.DOMAIN: "email_domain"}


def threshold() -> int:
    return getattr(settings, "TRENDING_THRESHOLD", 50)


def hour_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def candidates(now: datetime) -> list[TrendingAlert]:
    """Unsaved alerts for every block and domain over the threshold in the last hour."""
    recent = Signature.objects.filter(
        petition__state=Petition.State.OPEN,
        created_at__gt=now - timedelta(hours=1),
        created_at__lte=now,
        invalidated_at__isnull=True,
    )
    found = []
    for kind, field in FIELDS.items():
        rows = recent.exclude(**{field: ""})
        if kind == TrendingAlert.Kind.DOMAIN:
            rows = rows.exclude(email_domain__in=settings.LIMIT_DOMAIN_EXEMPT)
        grouped = (
            rows.values("petition_id", field)
            .annotate(n=Count("pk"))
            .filter(n__gt=threshold())
            .order_by("petition_id", "-n")
        )
        found += [
            TrendingAlert(
                petition_id=row["petition_id"],
                kind=kind,
                value=row[field],
                count=row["n"],
                window_start=hour_of(now),
            )
            for row in grouped
        ]
    return found


def detect_trending(now: datetime | None = None) -> list[TrendingAlert]:
    """Record the new alerts of this hour and mail them to moderators; return them."""
    now = now or timezone.now()
    new = []
    with transaction.atomic():
        for alert in candidates(now):
            try:
                with transaction.atomic():
                    alert.save(force_insert=True)
            except IntegrityError:
                continue  # already recorded this hour, by an earlier or parallel run
            new.append(alert)
        if new:
            mail_moderators(new)
    return new


def mail_moderators(alerts: list[TrendingAlert]) -> int:
    titles = dict(
        Petition.objects.filter(pk__in={a.petition_id for a in alerts}).values_list("pk", "title")
    )
    context = {
        "alerts": [
            {
                "title": titles[a.petition_id],
                "kind": str(a.get_kind_display()),
                "value": a.value,
                "count": a.count,
                "url": settings.SITE_URL + reverse("moderation:fraud", args=[a.petition_id]),
            }
            for a in alerts
        ],
        "threshold": threshold(),
    }
    moderators = User.objects.filter(is_staff=True, is_active=True).exclude(email="")
    addresses = list(moderators.values_list("email", flat=True))
    for address in addresses:
        queue_email("trending_alert", address, context)
    return len(addresses)
