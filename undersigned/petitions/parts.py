"""What a petition is made of besides its own row: the decision makers it is addressed
to, its translations and the people who help run it. Import them from
`petitions.models`, which holds the petition itself."""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.lib import markdown

LANGUAGE_CHOICES = sorted(
    ((code, info["name"]) for code, info in LANG_INFO.items() if "name" in info and len(code) <= 3),
    key=lambda item: item[1],
)


class Target(models.Model):
    """A decision maker the petition is addressed to."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="targets"
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role or organisation"), max_length=200, blank=True)
    # Never shown publicly; used to notify the decision maker (a later feature).
    email = models.EmailField(_("e-mail address"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name


class PetitionTranslation(models.Model):
    """The petition's title and text in another language, written by its organizers.
    Signatures belong to the petition, so they count once whatever the language."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("text"), max_length=20_000)
    text_html = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "language"], name="one_translation")
        ]
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.petition_id} [{self.language}] {self.title}"

    def prepare_text(self) -> None:
        self.text_html = markdown.render(self.text)


class Organizer(models.Model):
    """Someone the creator invited to help run a petition. The invitation is by e-mail;
    `user` is set when the link in it is used."""

    CREATOR = "creator"  # not a row: the petition's creator has every right

    class Role(models.TextChoices):
        EDITOR = "editor", _("editor: can edit, post updates and download deliveries")
        VIEWER = "viewer", _("viewer: can see the dashboard")

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="organizers"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.EDITOR)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="organizing",
    )  # fmt: skip
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The invitation link's secret, stored hashed like every other link secret.
    token_hash = models.CharField(max_length=64, blank=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "email"], name="one_invitation_per_address")
        ]
        ordering = ["invited_at", "pk"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}) on {self.petition_id}"
