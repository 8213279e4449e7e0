"""A representative's subscription: told when their region reaches their number of
signers on any open petition, once per petition.

They set it through their own private link, which comes with their first request for a
position, or by asking for one at /representatives/subscribe with their address. The
link changes a setting and publishes nothing, so it works until it expires rather than
once (they may change their number); a newer link replaces it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation

from undersigned.lib import links
from undersigned.lib.emails import build_message
from undersigned.petitions.models import Petition
from undersigned.regions.lookups import region_named
from undersigned.representatives.actions import BATCH, queue_unsent
from undersigned.representatives.models import Alert, Representative, link_lifetime
from undersigned.signatures.regions import region_counts


def normalize(address: str) -> str:
    return BaseUserManager.normalize_email((address or "").strip()).lower()


# The link -----------------------------------------------------------------------------


def issue_alert_link(representative: Representative, now: datetime) -> str:
    """A new subscription link for the representative, unless one they were sent still
    works (then ""): a link in an older e-mail is never silently replaced by a request
    for a position."""
    if not representative.alert_link_expired(now):
        return ""
    return _new_alert_link(representative, now)


def _new_alert_link(representative: Representative, now: datetime) -> str:
    secret, token_hash = links.new_secret()
    Representative.objects.filter(pk=representative.pk).update(
        alert_token_hash=token_hash, alert_link_sent_at=now
    )
    representative.alert_token_hash, representative.alert_link_sent_at = token_hash, now
    return links.make_token(representative.pk, secret)


def withdraw_alert_link(representative: Representative, now: datetime) -> None:
    """The e-mail carrying a new link was not sent: forget that link."""
    Representative.objects.filter(pk=representative.pk, alert_link_sent_at=now).update(
        alert_token_hash="", alert_link_sent_at=None
    )


def representative_from_token(token: str, now: datetime | None = None) -> Representative:
    """The representative a subscription link is for; raises links.Malformed / Expired."""
    representative = links.find(Representative.objects.all(), token, "alert_token_hash").row
    if representative is None:
        raise links.Malformed()
    if representative.alert_link_expired(now or timezone.now()):
        raise links.Expired(representative)
    return representative


def request_alert_link(address: str, language: str = "en") -> None:
    """From the subscribe page: e-mail a new link to each representative with this
    address, if any; the page says the same whether or not there is one. At most one
    e-mail a minute per address, so nobody can flood an inbox from the form."""
    from undersigned.representatives.tasks import send_alert_link

    email = normalize(address)
    if not cache.add(f"representative-link:{email}", 1, 60):
        return
    for pk in Representative.objects.filter(email=email).values_list("pk", flat=True):
        send_alert_link.enqueue(pk, language)


def send_alert_link(representative_id: int, language: str, now: datetime | None = None) -> bool:
    """The worker makes the link (its secret never sits in the job queue) and sends it."""
    now = now or timezone.now()
    representative = Representative.objects.filter(pk=representative_id).first()
    if representative is None:
        return False
    token = _new_alert_link(representative, now)
    context = {
        "name": representative.name,
        "link": settings.SITE_URL + reverse("representatives:alerts", args=[token]),
        "expires": _date(now + link_lifetime(), language),
    }
    build_message("representatives/alert_link", representative.email, context, language).send()
    return True


def set_alert_threshold(representative: Representative, threshold: int | None) -> None:
    Representative.objects.filter(pk=representative.pk).update(alert_threshold=threshold)
    representative.alert_threshold = threshold


# The alerts ----------------------------------------------------------------------------


def alert_representatives(now: datetime | None = None) -> int:
    """The clock's job: for every subscribed representative whose region reached their
    number of signers on an open petition of their scheme, one Alert row (inserted with
    ON CONFLICT DO NOTHING: once per petition, whatever the number of workers), then its
    e-mail queued once. Returns how many e-mails were queued."""
    from undersigned.representatives.tasks import send_alert

    now = now or timezone.now()
    subscribed = Representative.objects.filter(alert_threshold__isnull=False)
    schemes = set(subscribed.values_list("region_scheme", flat=True))
    petitions = Petition.objects.open_for_signing().filter(region_scheme__in=schemes)
    for petition in petitions.only("pk", "region_scheme").order_by("pk")[:BATCH]:
        counts = region_counts(petition, fresh=True)
        told = Alert.objects.filter(petition=petition).values("representative_id")
        due = subscribed.filter(region_scheme=petition.region_scheme, region_code__in=list(counts))
        rows = [
            Alert(
                petition=petition,
                representative=r,
                signature_count=counts[r.region_code],
                created_at=now,
            )
            for r in due.exclude(pk__in=told)
            if counts[r.region_code] >= r.alert_threshold
        ]
        Alert.objects.bulk_create(rows, ignore_conflicts=True)
    return queue_unsent(Alert, send_alert, now)


def send_alert(alert_id: int, now: datetime | None = None) -> bool:
    """The worker sends one alert; the conditional UPDATE on sent_at makes it once."""
    now = now or timezone.now()
    alert = Alert.objects.select_related("petition", "representative").filter(pk=alert_id).first()
    if alert is None or not Alert.objects.filter(pk=alert_id, sent_at=None).update(sent_at=now):
        return False
    petition, representative = alert.petition, alert.representative
    region = region_named(representative.region_scheme, representative.region_code)
    context = {
        "name": representative.name,
        "title": petition.title,
        "url": petition.absolute_url(),
        "region": region.name if region else representative.region_code,
        "count": alert.signature_count,
        "threshold": representative.alert_threshold or 0,
        "subscribe_url": settings.SITE_URL + reverse("representatives:subscribe"),
    }
    try:
        build_message(
            "representatives/alert", representative.email, context, petition.language
        ).send()
    except Exception:
        Alert.objects.filter(pk=alert_id, sent_at=now).update(sent_at=None)
        raise
    return True


def _date(moment: datetime, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
