from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from undersigned.sharing.pictures import FORMATS

ALT_MAX_LENGTH = 250


class PictureQuerySet(models.QuerySet["Picture"]):
    def shown(self) -> PictureQuerySet:
        return self.filter(status=Picture.Status.SHOWN)

    def awaiting_review(self) -> PictureQuerySet:
        return self.filter(status=Picture.Status.PENDING).order_by("created_at")


class Picture(models.Model):
    """A petition's picture: the one shown, and on an open or closed petition at most one
    more waiting for a moderator (actions.py says why). Its files are in the default
    storage under names made from `key`, random and new for every upload, so a name's
    bytes never change and browsers may keep them for a year."""

    class Status(models.TextChoices):
        SHOWN = "shown", _("shown")
        PENDING = "pending", _("waiting for a moderator")

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="pictures"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    key = models.CharField(max_length=32, unique=True)
    alt = models.CharField(_("description"), max_length=ALT_MAX_LENGTH)
    # The widths made (ascending) and the size of the widest.
    widths = models.JSONField(default=list)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = PictureQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "status"], name="one_picture_per_status")
        ]

    def __str__(self) -> str:
        return self.alt

    def file_name(self, width: int, extension: str) -> str:
        """Its path in the storage (and, after /, its address: views.picture_file)."""
        return f"pictures/{self.petition_id}/{self.key}-{width}.{extension}"

    def file_names(self) -> list[str]:
        return [self.file_name(w, ext) for w in self.widths for ext in FORMATS]

    def url(self, width: int, extension: str) -> str:
        return reverse(
            "sharing:picture_file",
            args=[self.petition_id, f"{self.key}-{width}.{extension}"],
        )

    def srcset(self, extension: str) -> str:
        return ", ".join(f"{self.url(w, extension)} {w}w" for w in self.widths)

    @property
    def webp_srcset(self) -> str:
        return self.srcset("webp")

    @property
    def jpeg_srcset(self) -> str:
        return self.srcset("jpg")

    @property
    def fallback_url(self) -> str:
        """For browsers without srcset: the widest JPEG up to 960 pixels."""
        width = max([w for w in self.widths if w <= 960] or self.widths[:1])
        return self.url(width, "jpg")

    @property
    def largest_jpeg_url(self) -> str:
        return self.url(self.widths[-1], "jpg")
