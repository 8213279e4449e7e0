from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from undersigned.lib import markdown
from undersigned.petitions.models import Petition, Target


class UpdateQuerySet(models.QuerySet["Update"]):
    def emailed_news_since(self, petition: Petition, since: datetime) -> UpdateQuerySet:
        """The news this petition e-mailed (or asked to e-mail) since `since`: what the
        weekly cap counts. A refused e-mail never went out, so it does not count."""
        return self.filter(
            petition=petition, kind=Update.Kind.NEWS, email_requested_at__gte=since
        ).exclude(email_state__in=[Update.EmailState.NONE, Update.EmailState.REFUSED])

    def awaiting_approval(self) -> UpdateQuerySet:
        return self.filter(email_state=Update.EmailState.APPROVAL).order_by("email_requested_at")

    def mailing_stuck(self, before: datetime) -> UpdateQuerySet:
        """Mailings that should be moving but have not moved since `before`: their job was
        lost or their worker died."""
        return self.filter(
            email_state__in=[Update.EmailState.QUEUED, Update.EmailState.SENDING],
        ).filter(Q(email_progress_at__isnull=True) | Q(email_progress_at__lt=before))


class Update(models.Model):
    """Something that happened to a petition, shown on its page newest first: news from
    its organizers, the victory, or a decision maker's response. Any of them may be
    e-mailed to the signers who asked for updates (updates/actions.py)."""

    class Kind(models.TextChoices):
        NEWS = "news", _("update")
        VICTORY = "victory", _("victory")
        RESPONSE = "response", _("response")

    class EmailState(models.TextChoices):
        NONE = "", _("not e-mailed")
        APPROVAL = "approval", _("e-mail awaiting a moderator's approval")
        REFUSED = "refused", _("e-mail refused by a moderator")
        QUEUED = "queued", _("e-mail queued")
        SENDING = "sending", _("e-mail being sent")
        SENT = "sent", _("e-mailed")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NEWS)
    # Organizers write the title of news and victories. A decision maker's response has
    # none: its title is "Response from <responder>", put together in the reader's
    # language when shown (`display_title`); so is a victory's ("Victory!"). Responses
    # published before `responder` existed keep the title stored then, in the petition's
    # language.
    title = models.CharField(_("title"), max_length=150, blank=True)
    responder = models.CharField(max_length=120, blank=True)  # as they signed the answer
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

    # The e-mail to signers. Its progress lives in these columns and in UpdateMail rows,
    # never only in the job queue, so a lost job or a killed worker is picked up again.
    email_state = models.CharField(max_length=8, choices=EmailState.choices, blank=True)
    email_requested_at = models.DateTimeField(null=True, blank=True)
    email_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    email_decided_at = models.DateTimeField(null=True, blank=True)
    email_total = models.PositiveIntegerField(default=0)  # recipients when it was queued
    emails_sent = models.PositiveIntegerField(default=0)
    # The highest signature id already given an UpdateMail row: recipients are taken in
    # id order, a batch at a time, by moving this cursor with a conditional UPDATE.
    recipient_cursor = models.PositiveBigIntegerField(default=0)
    email_progress_at = models.DateTimeField(null=True, blank=True)
    email_finished_at = models.DateTimeField(null=True, blank=True)

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["petition", "-created_at"], name="update_petition_newest"),
            models.Index(
                fields=["email_state", "email_progress_at"],
                condition=Q(email_state__in=["approval", "queued", "sending"]),
                name="update_mail_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.display_title}"

    @property
    def display_title(self) -> str:
        """The title to show, in the active language."""
        if self.title:
            return self.title
        if self.kind == self.Kind.RESPONSE:
            responder = self.responder or (self.target.name if self.target_id else "")
            if responder:
                return gettext("Response from %(responder)s") % {"responder": responder}
            return gettext("Response from a decision maker")
        if self.kind == self.Kind.VICTORY:
            return gettext("Victory!")
        return ""

    def prepare_text(self) -> None:
        self.text_html = markdown.render(self.text)

    @property
    def is_emailed(self) -> bool:
        return self.email_state not in {self.EmailState.NONE, self.EmailState.REFUSED}

    @property
    def email_in_progress(self) -> bool:
        return self.email_state in {self.EmailState.QUEUED, self.EmailState.SENDING}


class UpdateMail(models.Model):
    """One signer's copy of one e-mailed update. Created when a batch claims its
    recipients; `sent_at` is set right after the message leaves, so a worker killed
    mid-batch repeats at most the one message it was sending."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="mails")
    signature = models.ForeignKey(
        "signatures.Signature", on_delete=models.CASCADE, related_name="+"
    )
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set instead of sent_at when the signer withdrew, unsubscribed or was invalidated
    # after the mailing started.
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["update", "signature"], name="one_mail_per_signer")
        ]
        indexes = [
            models.Index(
                fields=["update", "claimed_at"],
                condition=Q(sent_at__isnull=True, skipped_at__isnull=True),
                name="update_mail_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"update {self.update_id} → signature {self.signature_id}"


STALE_CLAIM = timedelta(minutes=10)  # a batch not finished by then is taken over
