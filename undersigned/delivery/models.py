"""What reaches the decision makers: delivery packs, the log of every download, and the
signatures organizers collected on paper."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from undersigned.petitions.models import Petition, Target


def deliveries_storage() -> Storage:
    return storages["deliveries"]


def pack_file_name(petition_id: int, stem: str, kind: str) -> str:
    return f"{petition_id}/{stem}.{kind}"


class DeliveryPack(models.Model):
    """A PDF and a CSV of the signatures, addressed to one decision maker (or to all of
    them when `target` is empty). Made in the request for small petitions, by the worker
    for large ones (actions.build_pack claims the row, so a pack is made once)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("waiting to be prepared")
        GENERATING = "generating", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="delivery_packs")
    # A deleted target takes its packs along: a pack is never silently re-addressed.
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.CASCADE, related_name="delivery_packs"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.REQUESTED)
    # The organizer's language when asking: the worker writes the pack in it.
    language = models.CharField(max_length=8, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Moved forward while the files are written: a pack whose worker stops beating is
    # taken over (actions.STUCK_AFTER), however long a big one takes.
    alive_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    generated_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    online_count = models.PositiveIntegerField(default=0)
    paper_count = models.PositiveIntegerField(default=0)
    listed_in_pdf = models.PositiveIntegerField(default=0)
    # The files' name without extension, new for each attempt (packs.write_files).
    file_stem = models.CharField(max_length=40, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    csv_sha256 = models.CharField(max_length=64, blank=True)
    pdf_bytes = models.PositiveBigIntegerField(default=0)
    csv_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["state", "alive_at"], name="delivery_pack_state")]

    def __str__(self) -> str:
        return f"Delivery pack {self.pk} of petition {self.petition_id} ({self.state})"

    @property
    def addressed_to(self) -> str:
        return str(self.target) if self.target_id else str(_("all the decision makers"))

    @property
    def in_progress(self) -> bool:
        return self.state in {self.State.REQUESTED, self.State.GENERATING}

    def file_name(self, kind: str) -> str:
        """The file's name in the "deliveries" storage (never served as static)."""
        return pack_file_name(self.petition_id, self.file_stem, kind)

    def open_file(self, kind: str) -> File:
        """The file, read from the shared storage whichever node or worker wrote it.
        FileNotFoundError when it is gone."""
        storage = deliveries_storage()
        name = self.file_name(kind)
        if not self.file_stem or not storage.exists(name):
            raise FileNotFoundError(name)
        return storage.open(name, "rb")

    def path(self, kind: str) -> Path:
        """The file on this machine's disk, when the storage is a folder (DELIVERY_DIR)."""
        return Path(deliveries_storage().path(self.file_name(kind)))

    def sha256(self, kind: str) -> str:
        return self.pdf_sha256 if kind == "pdf" else self.csv_sha256

    def filename(self, kind: str) -> str:
        return f"delivery-{self.petition_id}-{self.pk}.{kind}"


class DownloadQuerySet(models.QuerySet["Download"]):
    def of(self, petition: Petition) -> DownloadQuerySet:
        return self.filter(petition=petition).select_related("user", "pack__target")


class Download(models.Model):
    """Who took a copy of signers' data, and when: shown to every organizer."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("delivery pack (PDF)")
        CSV = "csv", _("delivery pack (CSV)")
        CONTACTS = "contacts", _("contact list (CSV)")
        SIGNERS = "signers", _("signer list (command line)")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="downloads")
    pack = models.ForeignKey(
        DeliveryPack, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # Kept when the user or the pack is deleted, so the log still says who and what.
    who = models.CharField(max_length=254, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    downloaded_at = models.DateTimeField()

    objects = DownloadQuerySet.as_manager()

    class Meta:
        ordering = ["-downloaded_at", "-pk"]
        indexes = [models.Index(fields=["petition", "-downloaded_at"], name="download_recent")]

    def __str__(self) -> str:
        return f"{self.kind} of petition {self.petition_id} by {self.who}"


class PaperSheetQuerySet(models.QuerySet["PaperSheet"]):
    def of(self, petition: Petition | int) -> PaperSheetQuerySet:
        return self.filter(petition=petition)

    def total(self) -> int:
        return self.aggregate(n=Sum("count"))["n"] or 0

    def summary(self) -> dict:
        return self.aggregate(signatures=Sum("count", default=0), sheets=Count("pk"))

    def by_country(self) -> dict[str, int]:
        rows = self.values("country").annotate(n=Sum("count")).order_by()
        return {row["country"]: row["n"] for row in rows}

    def with_names(self) -> PaperSheetQuerySet:
        return self.filter(~Q(names=""))


class PaperSheet(models.Model):
    """Signatures collected on paper, typed in by an organizer: a country and how many,
    optionally the names. Shown beside the online count, never added to it: nobody
    confirmed them by e-mail."""

    MAX_COUNT = 100_000  # per entry: a typo of one more zero should not pass unnoticed

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="paper_sheets")
    country = CountryField(_("country"))
    count = models.PositiveIntegerField(_("number of signatures"))
    names = models.TextField(_("names (optional)"), blank=True, max_length=200_000)
    note = models.CharField(_("note (optional)"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = PaperSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.count} on paper ({self.country}) for petition {self.petition_id}"

    @property
    def name_list(self) -> list[str]:
        return split_names(self.names)


def split_names(text: str) -> list[str]:
    """One name a line; blank lines and surrounding spaces do not count."""
    return [line.strip() for line in text.splitlines() if line.strip()]
