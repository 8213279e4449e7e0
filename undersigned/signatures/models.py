from __future__ import annotations

import ipaddress
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from undersigned.lib import links
from undersigned.petitions.models import Petition

SHARDS = 16  # count rows per petition: confirmations spread over them instead of queueing


def normalize_email(address: str) -> str:
    """The key that makes one person one signature: case, spaces and Gmail aliases folded."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if domain in {"gmail.com", "googlemail.com"}:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def short_name(name: str) -> str:
    """First name and initial of the last one: "Anahit K.".

    Only words with letters count, in any script: "Ani 🇦🇲 Hakobyan ✊🏽" is "Ani H.", not
    "Ani ✊." The initial keeps the combining marks that follow its letter. A name with
    no letters at all (the form refuses those now; older rows may have one) shows its
    first word, as it always did.
    """
    parts = name.split()
    words = [part for part in parts if any(ch.isalpha() for ch in part)]
    if len(words) < 2:
        return words[0] if words else (parts[0] if parts else "")
    last = words[-1]
    start = next(i for i, ch in enumerate(last) if ch.isalpha())
    end = start + 1
    while end < len(last) and unicodedata.combining(last[end]):
        end += 1
    return f"{words[0]} {last[start:end]}."


@lru_cache(maxsize=4096)
def _country_name(code: str, language: str | None) -> str:
    return str(countries.name(code))


def country_name(code: str) -> str:
    """A country's name in the active language; looked up once per code and language."""
    return _country_name(code, get_language()) if code else ""


@dataclass(frozen=True, slots=True)
class PublicSigner:
    """What the petition page shows of a recent signer who chose to be shown."""

    public_name: str
    country_name: str  # "" when no country was given
    confirmed_at: datetime
    comment: str


class SignatureQuerySet(models.QuerySet["Signature"]):
    def counted(self) -> SignatureQuerySet:
        """The signatures the public count is made of."""
        return self.filter(
            confirmed_at__isnull=False,
            withdrawn_at__isnull=True,
            invalidated_at__isnull=True,
            held_reason="",
        )

    def held(self) -> SignatureQuerySet:
        """Kept but not counted (over a limit, blocked, suspicious) until a moderator
        releases them."""
        return self.exclude(held_reason="").filter(
            withdrawn_at__isnull=True, invalidated_at__isnull=True
        )

    def shown_publicly(self) -> SignatureQuerySet:
        return self.counted().filter(public=True).order_by("-confirmed_at")

    def recent_public(self, limit: int = 10) -> list[PublicSigner]:
        """The newest signers shown publicly, as plain values. Every render of a petition
        page lists them; building full rows (~80 columns) and resolving template lookups on
        them cost more than the rest of the list, and made a petition with signers render
        markedly slower than an empty one."""
        rows = self.shown_publicly().values_list("name", "country", "confirmed_at", "comment")
        return [
            PublicSigner(short_name(name), country_name(code), at, comment)
            for name, code, at, comment in rows[:limit]
        ]

    def awaiting_mail(self, before: datetime) -> SignatureQuerySet:
        """Confirmation e-mails asked for but not sent: their job was lost or crashed."""
        stale = before - timedelta(minutes=10)
        return self.filter(
            mail_requested_at__isnull=False, mail_requested_at__lt=before, confirmed_at__isnull=True
        ).filter(Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=stale))


class Signature(models.Model):
    # No index of its own: every index below starts with the petition, and each index is
    # written again by each insert and by each UPDATE that is not in place.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    name = models.CharField(_("full name"), max_length=100)
    email = models.CharField(_("e-mail address"), max_length=254)
    email_normalized = models.CharField(max_length=254, editable=False)
    country = CountryField(_("country"))
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    # The signer's region in the petition's region scheme (a code; blank: unknown).
    region = models.CharField(_("region"), max_length=40, blank=True)
    comment = models.CharField(_("why I'm signing"), max_length=500, blank=True)
    public = models.BooleanField(_("show my name publicly"), default=False)
    wants_updates = models.BooleanField(_("keep me updated about this petition"), default=False)
    # A separate, explicit choice: only these signers' e-mail addresses reach the
    # organizers (delivery/exports.py); everyone else's stays with the site.
    contact_by_organizer = models.BooleanField(_("let the organizers e-mail me"), default=False)
    language = models.CharField(max_length=8, default="en")
    source = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_default=models.functions.Now())

    # Confirmation by e-mail. The token is generated when the e-mail is sent; only its
    # SHA-256 is stored, so a copy of the database cannot confirm anything.
    token_hash = models.CharField(max_length=64, blank=True)
    token_created_at = models.DateTimeField(null=True, blank=True)
    mail_requested_at = models.DateTimeField(null=True, blank=True)
    mail_claimed_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    mails_sent = models.PositiveSmallIntegerField(default=0)
    # The one reminder to a signer who has not confirmed within a day (set when sent).
    reminded_at = models.DateTimeField(null=True, blank=True)

    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    # Which count shard this signature was added to, so removing it undoes exactly that.
    shard = models.PositiveSmallIntegerField(default=0)

    # Anti-fraud. No raw IP is stored: a rotating keyed hash of its network, and the
    # coarse block (/24, /48) moderators act on. See lib/client.py and signatures/risk.py.
    ip_hash = models.CharField(max_length=32, blank=True)
    ip_block = models.CharField(max_length=43, blank=True)
    email_domain = models.CharField(max_length=253, blank=True)
    consent_version = models.CharField(max_length=16, blank=True)
    # Signals that are not reasons on their own, e.g. "no-pow" (no proof of work).
    risk = models.CharField(max_length=100, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    # Non-empty: kept, looks like any other signature to its signer, but not counted.
    held_reason = models.CharField(max_length=32, blank=True)
    invalidation = models.ForeignKey(
        "signatures.Invalidation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="signatures", db_index=False,  # indexed below, only where it is set
    )  # fmt: skip

    objects = SignatureQuerySet.as_manager()

    class Meta:
        constraints = [
            # One signature per person per petition; withdrawal erases the address (to "").
            models.UniqueConstraint(
                fields=["petition", "email_normalized"],
                condition=~Q(email_normalized=""),
                name="one_signature_per_address",
            )
        ]
        indexes = [
            models.Index(
                fields=["mail_requested_at"],
                condition=Q(mail_requested_at__isnull=False),
                name="signature_mail_pending",
            ),
            models.Index(fields=["petition", "-confirmed_at"], name="signature_recent"),
            models.Index(fields=["petition", "ip_hash", "created_at"], name="signature_by_address"),
            models.Index(
                fields=["petition", "email_domain", "created_at"], name="signature_by_domain"
            ),
            models.Index(fields=["petition", "created_at"], name="signature_by_time"),
            models.Index(
                fields=["invalidation"],
                condition=Q(invalidation__isnull=False),
                name="signature_invalidated",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} on petition {self.petition_id}"

    @property
    def is_counted(self) -> bool:
        return bool(
            self.confirmed_at
            and not self.withdrawn_at
            and not self.invalidated_at
            and not self.held_reason
        )

    @property
    def public_name(self) -> str:
        """First name and initial of the last one: "Anahit K."."""
        return short_name(self.name)

    # The confirmation link (lib/links.py): "<id>.<secret>", only the secret's hash kept.

    def new_token(self, now: datetime) -> str:
        secret, self.token_hash = links.new_secret()
        self.token_created_at = now
        return links.make_token(self.pk, secret)

    def token_matches(self, secret: str) -> bool:
        return links.matches(self.token_hash, secret)

    def token_expired(self, now: datetime) -> bool:
        lifetime = timedelta(days=settings.SIGNATURE_TOKEN_DAYS)
        return links.expired(self.token_created_at, lifetime, now)

    def withdraw_key(self) -> str:
        """A signed key for the withdrawal link, valid for as long as the signature exists."""
        return signing.dumps(self.pk, salt="signatures.withdraw", compress=True)

    @classmethod
    def pk_from_withdraw_key(cls, key: str) -> int | None:
        try:
            return int(signing.loads(key, salt="signatures.withdraw"))
        except (signing.BadSignature, TypeError, ValueError):
            return None


TOTAL = "SELECT COALESCE(SUM(count), 0) FROM signatures_countshard WHERE petition_id = %s"


class CountShard(models.Model):
    """Part of a petition's count. Confirmations add to a random shard, so a surge of
    confirmations does not queue on one row; the count is the sum of the shards."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="count_shards")
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "shard"], name="one_row_per_shard")
        ]

    def __str__(self) -> str:
        return f"petition {self.petition_id} shard {self.shard}: {self.count}"

    @classmethod
    def total(cls, petition_id: int) -> int:
        # Plain SQL: every confirmation and every count read runs it, and the ORM took
        # longer to compile the aggregate than the database takes to sum 16 rows.
        with connection.cursor() as cursor:
            cursor.execute(TOTAL, [petition_id])
            return int(cursor.fetchone()[0])  # PostgreSQL sums a bigint as numeric


class RegionShard(models.Model):
    """Part of a petition's count in one region of its scheme (regions.py reads them).

    Moved in the same transaction and on the same shard number as the CountShard, by
    add_to_count, so the regions add up exactly to the counted signatures that have a
    region, at rest and at every commit; sharded like the total because a surge often
    comes from one place. A worker's periodic recount would have been simpler, but a
    region's quorum is a promise made at a number, and the number must be the count's.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=40)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "region", "shard"], name="one_row_per_region_shard"
            )
        ]

    def __str__(self) -> str:
        return f"petition {self.petition_id} {self.region} shard {self.shard}: {self.count}"


class Invalidation(models.Model):
    """A moderator's bulk removal of signatures from the count, with its conditions, so
    it can be audited, cancelled while running, and reverted."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        REVERTED = "reverted", _("reverted")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invalidations")
    conditions = models.JSONField(default=dict)
    reason = models.CharField(max_length=500)
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    matched = models.PositiveIntegerField(default=0)
    invalidated = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invalidation {self.pk} of petition {self.petition_id} ({self.state})"


class ListEntry(models.Model):
    """An entry of the block and allow lists that the risk screen reads on every sign
    (risk.py). Moderators keep them in the admin, under Moderation (moderation/models.py
    shows them there); the table keeps the name it had when the model lived in that app."""

    class Kind(models.TextChoices):
        BLOCK_DOMAIN = "block-domain", _("blocked e-mail domain")
        BLOCK_ADDRESS = "block-address", _("blocked e-mail address")
        BLOCK_RANGE = "block-range", _("blocked network range")
        ALLOW_RANGE = "allow-range", _("allowed network range (never throttled)")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(
        max_length=254, help_text=_("A domain, an e-mail address, or a range like 192.0.2.0/24.")
    )
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "moderation_listentry"
        verbose_name = _("block or allow list entry")
        verbose_name_plural = _("block and allow lists")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="one_list_entry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        """Store each entry the way the screen compares it: a lower-case domain, a
        normalised address, a network in its canonical form."""
        value = self.value.strip().lower()
        if self.kind in {self.Kind.BLOCK_RANGE, self.Kind.ALLOW_RANGE}:
            try:
                value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValidationError({"value": _("Enter a range like 192.0.2.0/24.")}) from None
        elif self.kind == self.Kind.BLOCK_ADDRESS:
            if "@" not in value:
                raise ValidationError({"value": _("Enter an e-mail address.")})
            value = normalize_email(value)
        elif "@" in value or "." not in value:
            raise ValidationError({"value": _("Enter a domain like example.org.")})
        self.value = value
