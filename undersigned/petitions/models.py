from __future__ import annotations

from datetime import datetime, timedelta

from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from undersigned.lib import markdown
from undersigned.petitions.goals import current_goal

# What hangs off a petition lives in parts.py; imported here so that Django finds the
# models, and so that `petitions.models` stays the one place to import them from.
from undersigned.petitions.parts import (  # noqa: F401
    LANGUAGE_CHOICES,
    Organizer,
    PetitionTranslation,
    Target,
)

# The home page's "New, needs support" lists petitions opened this many days ago at most.
NEW_DAYS = 30
# "Sign this one instead?" lists open petitions and those closed this many days ago at most.
RECENTLY_CLOSED_DAYS = 90
SLUG_LENGTH = 80


def make_slug(title: str) -> str:
    """The readable part of a petition's address: the title in ASCII letters
    ("Պահպանենք գրադարանը" → "pahpanenk-gradarany"), lower case, words joined by hyphens,
    so that a link stays readable when pasted as text anywhere."""
    return slugify(anyascii(title))[:SLUG_LENGTH].strip("-")


class InvalidTransition(ValidationError):
    """A state change that the petition's current state does not allow."""


class PetitionQuerySet(models.QuerySet["Petition"]):
    def open_for_signing(self) -> PetitionQuerySet:
        return self.filter(state=Petition.State.OPEN)

    def listed(self) -> PetitionQuerySet:
        """Petitions anyone may see in lists: open and closed ones."""
        return self.filter(state__in=[Petition.State.OPEN, Petition.State.CLOSED])

    def most_signed(self) -> PetitionQuerySet:
        return self.order_by("-signature_count", "-opened_at")

    def newest(self) -> PetitionQuerySet:
        return self.order_by("-opened_at", "-pk")

    def needing_support(self, now: datetime) -> PetitionQuerySet:
        """Open petitions opened in the last NEW_DAYS days and still short of their
        organizer's goal, newest first: a place on the home page that the most signed
        ones do not take (trending alone sends signatures to the already popular)."""
        return (
            self.open_for_signing()
            .filter(opened_at__gte=now - timedelta(days=NEW_DAYS), signature_count__lt=F("goal"))
            .newest()
        )

    def due_to_close(self, now: datetime) -> PetitionQuerySet:
        return self.open_for_signing().filter(closes_at__lte=now)

    def similar_candidates(self, now: datetime) -> PetitionQuerySet:
        """Where a new petition's signers might rather go: open petitions, and those closed
        in the last RECENTLY_CLOSED_DAYS, that are not duplicates themselves."""
        recently = Q(
            state=Petition.State.CLOSED, closed_at__gte=now - timedelta(days=RECENTLY_CLOSED_DAYS)
        )
        return self.filter(Q(state=Petition.State.OPEN) | recently, duplicate_of__isnull=True)

    def duplicates_to_tell(self) -> PetitionQuerySet:
        """Petitions marked as duplicates whose signers have not all been told yet."""
        return self.filter(duplicate_of__isnull=False, duplicate_told_at__isnull=True)

    def awaiting_moderation(self) -> PetitionQuerySet:
        return self.filter(state=Petition.State.MODERATION).order_by("submitted_at", "pk")

    def search(self, query: str) -> PetitionQuerySet:
        words = query.split()[:8]
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word) | Q(text__icontains=word)
        return self.filter(condition)

    def visible_to(self, user) -> PetitionQuerySet:
        if user.is_authenticated and user.is_staff:
            return self.all()
        public = Q(state__in=[Petition.State.OPEN, Petition.State.CLOSED, Petition.State.REJECTED])
        if user.is_authenticated:
            return self.filter(public | Q(creator=user) | Q(pk__in=_organized_by(user)))
        return self.filter(public)

    def organized_by(self, user) -> PetitionQuerySet:
        """Petitions this user started or helps to run as an accepted co-organizer."""
        return self.filter(Q(creator=user) | Q(pk__in=_organized_by(user)))


def _organized_by(user) -> models.QuerySet:
    return Organizer.objects.filter(user=user, accepted_at__isnull=False).values("petition_id")


class Petition(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUPPORT = "support", _("gathering supporters")
        MODERATION = "moderation", _("awaiting moderation")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        REJECTED = "rejected", _("rejected")
        HIDDEN = "hidden", _("hidden")

    class Rejection(models.TextChoices):
        DUPLICATE = "duplicate", _("It duplicates a petition that is already open")
        OFFENSIVE = "offensive", _("It is offensive, or uses language that is not acceptable")
        ADVERT = "advert", _("It advertises a product, service or campaign")
        NO_ACTION = "no-action", _("It does not ask for a clear action")
        LIBELLOUS = "libellous", _("It could be libellous, or names people who cannot answer")
        IRRELEVANT = "irrelevant", _("It is not something the people it addresses can act on")
        OTHER = "other", _("It does not meet our standards for another reason")

    # Reasons for which the text itself is not shown again on the rejected page.
    TEXT_WITHHELD = {Rejection.OFFENSIVE, Rejection.LIBELLOUS, Rejection.ADVERT}

    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(max_length=80, blank=True)
    text = models.TextField(_("text"), max_length=20_000)
    text_html = models.TextField(editable=False, blank=True)
    goal = models.PositiveIntegerField(
        _("goal"), default=1000, validators=[MinValueValidator(10), MaxValueValidator(100_000_000)]
    )
    language = models.CharField(_("language"), max_length=8, default="en", choices=LANGUAGE_CHOICES)
    closes_at = models.DateTimeField(_("closing date"), null=True, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="petitions"
    )
    # The page's "Started by …": a name of the petition's own, so an account without one,
    # or an import for someone else, still says who asks; and the organisation, if any.
    creator_name = models.CharField(_("started by"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    rejection_reason = models.CharField(max_length=12, choices=Rejection.choices, blank=True)
    moderation_note = models.TextField(max_length=2000, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    # Refreshed from the count shards by the worker's clock; lists sort by it.
    signature_count = models.PositiveBigIntegerField(default=0, editable=False)
    # Victory, declared by an organizer (updates/actions.py): shown on top of the page.
    won_at = models.DateTimeField(null=True, blank=True)
    victory_note = models.TextField(_("what was won"), max_length=5000, blank=True)
    # The organizer's choice: e-mail the decision makers when the petition opens and at
    # the site's response thresholds (responses/actions.py).
    notify_targets = models.BooleanField(_("e-mail the decision makers"), default=False)
    # Marked by a moderator: this petition asks what another one asks. Its page points
    # there and takes no more signatures; its signers are told once (duplicate_told_at).
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    duplicate_told_at = models.DateTimeField(null=True, blank=True)
    # The highest signature id whose signer is being or has been told (updates/duplicates.py
    # moves it with a conditional UPDATE before each e-mail, so nobody is told twice).
    duplicate_told_cursor = models.PositiveBigIntegerField(default=0)
    # Where its signers live (a region scheme's code, see the regions app; blank: none),
    # and the number of signers in one region at which that region's representatives are
    # asked for a position (null: the scheme's or the site's default).
    region_scheme = models.CharField(_("region scheme"), max_length=40, blank=True)
    region_quorum = models.PositiveIntegerField(_("signers per region"), null=True, blank=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["state", "-signature_count"], name="petition_state_count"),
            models.Index(fields=["state", "-opened_at"], name="petition_state_opened"),
            models.Index(fields=["state", "closes_at"], name="petition_state_closes"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The canonical address, /petitions/<id>-<slug>: the id finds the petition, the
        slug is for people reading the link (views.detail redirects any other slug)."""
        if not self.slug:
            return reverse("petitions:detail", args=[self.pk])
        return reverse("petitions:detail", args=[self.pk, self.slug])

    def absolute_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()

    def prepare_text(self) -> None:
        """Keep the slug and the sanitised HTML in step with the title and Markdown text."""
        self.slug = make_slug(self.title)
        self.text_html = markdown.render(self.text)

    def in_language(self, language: str | None) -> tuple[str, str, str]:
        """(language, title, text HTML) to show a visitor who reads `language`: a
        translation when there is one, else the original."""
        if language and language != self.language:
            for translation in self.translations.all():
                if translation.language == language:
                    return translation.language, translation.title, translation.text_html
        return self.language, self.title, self.text_html

    @property
    def started_by(self) -> str:
        """The name on the page's "Started by …"; save_draft always gives one when the
        organizer's account has a name, this covers a row saved some other way."""
        return self.creator_name or self.creator.name

    def goal_for(self, count: int) -> int:
        return current_goal(count, self.goal)

    @property
    def listed_goal(self) -> int:
        return self.goal_for(self.signature_count)

    # Who may do what. The creator and editors run the petition; viewers see its dashboard.

    def role_of(self, user) -> str:
        """ "creator", "editor", "viewer" or "" (no role). Staff have no role here; views
        that let moderators in say so themselves."""
        if not user.is_authenticated:
            return ""
        if self.creator_id == user.pk:
            return Organizer.CREATOR
        organizer = self.organizers.filter(user=user, accepted_at__isnull=False).first()
        return organizer.role if organizer else ""

    def can_edit(self, user) -> bool:
        """Edit, post updates, manage targets, download deliveries."""
        return self.role_of(user) in {Organizer.CREATOR, Organizer.Role.EDITOR}

    def can_view_dashboard(self, user) -> bool:
        return bool(self.role_of(user)) or (user.is_authenticated and user.is_staff)

    @property
    def is_won(self) -> bool:
        return self.won_at is not None

    @property
    def is_editable(self) -> bool:
        return self.state in {self.State.DRAFT, self.State.MODERATION}

    @property
    def is_public(self) -> bool:
        return self.state in {self.State.OPEN, self.State.CLOSED, self.State.REJECTED}

    @property
    def text_withheld(self) -> bool:
        return self.state == self.State.REJECTED and self.rejection_reason in self.TEXT_WITHHELD

    def accepts_signatures(self, now: datetime) -> bool:
        return (
            self.state == self.State.OPEN
            and (self.closes_at is None or now < self.closes_at)
            and self.duplicate_of_id is None
        )

    # Transitions. Each checks where it comes from; actions.py saves and sends the e-mails.

    def _move(self, allowed: set[str], to: str) -> None:
        if self.state not in allowed:
            raise InvalidTransition(
                _("A petition that is %(state)s cannot become %(to)s.")
                % {"state": self.get_state_display(), "to": self.State(to).label}
            )
        self.state = to

    def submit(self, now: datetime) -> None:
        self._move({self.State.DRAFT}, self.State.MODERATION)
        self.submitted_at = now

    def approve(self, now: datetime, moderator) -> None:
        self._move({self.State.MODERATION, self.State.HIDDEN}, self.State.OPEN)
        self.opened_at = self.opened_at or now
        self.moderated_by = moderator
        if self.closes_at is not None and self.closes_at <= now:
            raise InvalidTransition(_("The closing date has passed: change it before opening."))

    def reject(self, now: datetime, moderator, reason: str, note: str = "") -> None:
        self._move({self.State.MODERATION, self.State.OPEN, self.State.HIDDEN}, self.State.REJECTED)
        if reason not in self.Rejection.values:
            raise InvalidTransition(_("Choose a reason for the rejection."))
        self.rejection_reason, self.moderation_note = reason, note
        self.rejected_at, self.moderated_by = now, moderator

    def hide(self, now: datetime, moderator, note: str = "") -> None:
        self._move(
            {
                self.State.SUPPORT,
                self.State.MODERATION,
                self.State.OPEN,
                self.State.CLOSED,
                self.State.REJECTED,
            },
            self.State.HIDDEN,
        )
        self.moderation_note, self.moderated_by = note, moderator

    def close(self, now: datetime) -> None:
        self._move({self.State.OPEN}, self.State.CLOSED)
        self.closed_at = now

    # A duplicate stays open or closed as it was: its page points to the petition it
    # duplicates, and it takes no more signatures (accepts_signatures).

    def mark_duplicate_of(self, other: Petition, moderator) -> None:
        """Point this petition to `other`. Refused unless both are public (open or closed),
        different, and `other` is not a duplicate itself: a reader follows one link, never
        a chain (actions.mark_duplicate also refuses when others point here)."""
        listed = {self.State.OPEN, self.State.CLOSED}
        if self.state not in listed:
            raise InvalidTransition(
                _("Only an open or closed petition can be marked as a duplicate. Reject one "
                  "awaiting moderation with the reason “duplicate” instead.")
            )  # fmt: skip
        if other.pk == self.pk:
            raise InvalidTransition(_("A petition cannot duplicate itself."))
        if other.state not in listed:
            raise InvalidTransition(
                _("Petition %(number)s is not public: choose an open or closed petition.")
                % {"number": other.pk}
            )
        if other.duplicate_of_id is not None:
            raise InvalidTransition(
                _("Petition %(number)s is itself a duplicate of petition %(original)s: "
                  "choose that one.") % {"number": other.pk, "original": other.duplicate_of_id}
            )  # fmt: skip
        self.duplicate_of, self.moderated_by = other, moderator
