from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from undersigned.lib import markdown
from undersigned.petitions.models import Petition, Target


class Update(models.Model):
    """Something that happened to a petition, shown on its page newest first: news from
    its organizers, the victory, or a decision maker's response. Any of them may be
    e-mailed to the signers who asked for updates (updates/actions.py)."""

    class Kind(models.TextChoices):
        NEWS = "news", _("update")
        VICTORY = "victory", _("victory")
        RESPONSE = "response", _("response")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("text"), max_length=20_000)
    text_html = models.TextField(editable=False, blank=True)
    # Organizers write news and victories; a response has the decision maker as its
    # `target` and no author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="updates"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["petition", "-created_at"], name="update_petition_newest")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.title}"

    def prepare_text(self) -> None:
        self.text_html = markdown.render(self.text)
