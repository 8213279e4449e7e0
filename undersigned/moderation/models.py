"""Block and allow lists that moderators keep (used by signatures/risk.py)."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListEntry(models.Model):
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
        verbose_name = _("block or allow list entry")
        verbose_name_plural = _("block and allow lists")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="one_list_entry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        from undersigned.signatures.models import normalize_email

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


class TrendingAlert(models.Model):
    """An address block or e-mail domain that signed one petition unusually often within
    an hour (see moderation/trending.py). One row per petition, value and hour, so the
    hourly detection can run twice without alerting twice."""

    class Kind(models.TextChoices):
        IP_BLOCK = "ip_block", _("address block")
        DOMAIN = "domain", _("e-mail domain")

    petition = models.ForeignKey(
        "petitions.Petition",
        on_delete=models.CASCADE,
        related_name="trending_alerts",
        verbose_name=_("petition"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("address block or domain"), max_length=253)
    count = models.PositiveIntegerField(
        _("signatures"), help_text=_("Signatures in the hour before detection.")
    )
    window_start = models.DateTimeField(
        _("hour"), help_text=_("The clock hour in which it was detected.")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("trending alert")
        ordering = ["-window_start", "-count", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "kind", "value", "window_start"], name="one_alert_per_hour"
            )
        ]
        indexes = [models.Index(fields=["-created_at"], name="alert_recent")]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.value}: {self.count} on petition {self.petition_id}"
        )
