"""Petitions in the Django admin, for fixing typos and looking things up.

States change only through the moderation queue and the organizer's pages, which send
the e-mails that go with them; here the state and the counts are read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition, Target

STATE_FIELDS = ("state", "rejection_reason", "moderation_note", "moderated_by")
RECORD_FIELDS = (
    "signature_count", "slug", "created_at", "updated_at", "submitted_at", "opened_at",
    "closed_at", "rejected_at",
)  # fmt: skip


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("position", "name", "role", "email")


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    inlines = [TargetInline]
    list_display = ("title", "state", "creator", "signature_count", "created_at", "closes_at")
    list_filter = ("state", "rejection_reason", "language")
    search_fields = ("title", "creator__email", "creator__name")
    date_hierarchy = "created_at"
    list_select_related = ("creator",)
    raw_id_fields = ("creator",)
    readonly_fields = (*STATE_FIELDS, *RECORD_FIELDS)
    fieldsets = (
        (None, {"fields": ("title", "text", "goal", "language", "closes_at", "creator")}),
        (_("State (change it from the moderation queue)"), {"fields": STATE_FIELDS}),
        (_("Dates and count"), {"fields": RECORD_FIELDS}),
    )

    def save_model(self, request, obj: Petition, form, change: bool) -> None:
        obj.prepare_text()  # keep the published HTML and the slug in step with the text
        super().save_model(request, obj, form, change)
