from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.lib import links
from undersigned.petitions.models import Petition

# How long an e-mailed export or erasure link works. One day: long enough to find the
# e-mail, short enough that an old mailbox is not a key to someone's data.
LINK_LIFETIME = timedelta(days=1)


class DataRequest(models.Model):
    """A signer's request for an export or an erasure, waiting for them to open the link.

    A row rather than a signed link, because an export changes nothing: only a row can
    remember that its link was used. Like confirmation tokens, only the SHA-256 of the
    secret is stored. The address is blanked when the link is used, and rows are deleted
    once their link has expired, so this table never keeps an address for long.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("send me everything you hold about me")
        ERASE = "erase", _("erase everything you hold about me")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    email_normalized = models.CharField(max_length=254)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="data_request_created")]

    def __str__(self) -> str:
        return f"{self.kind} request #{self.pk}"

    def new_token(self) -> str:
        """Set a fresh secret (only its hash is kept) and return "<id>.<secret>"."""
        secret, self.token_hash = links.new_secret()
        return links.make_token(self.pk, secret)

    def expired(self, now: datetime) -> bool:
        return links.expired(self.created_at, LINK_LIFETIME, now)


class AnonymisedPetition(models.Model):
    """How far retention has got with a petition's signatures.

    Signatures are anonymised in id order; `last_signature_id` is where the next batch
    starts, so a run that stops half-way resumes without rereading anything, and
    `finished_at` lets later runs skip the petition. A petition that is reopened and
    closes again ends after `finished_at`, so its newer signatures are picked up in turn.
    """

    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, primary_key=True, related_name="anonymised"
    )
    last_signature_id = models.BigIntegerField(default=0)
    anonymised = models.PositiveIntegerField(default=0)  # signatures, for the operator
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"retention of petition {self.petition_id}"
