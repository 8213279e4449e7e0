"""Moderators' records: trending alerts, and the block and allow lists as the admin shows
them (the lists themselves are signatures', where the risk screen reads them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.signatures import models as signatures


class ListEntry(signatures.ListEntry):
    """The block and allow lists in the admin, under Moderation, at the address and with
    the permissions they had when the rows were this app's (moderation/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = _("block or allow list entry")
        verbose_name_plural = _("block and allow lists")


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
