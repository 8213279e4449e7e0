"""Representatives in the Django admin (staff only): correct or remove one, see what
they were asked. The import command (import_representatives) creates them; links and
answers are never edited here."""

from __future__ import annotations

from django.contrib import admin

from undersigned.representatives.models import PositionRequest, Representative


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "region_scheme", "region_code", "party", "alert_threshold")
    list_filter = ("region_scheme",)
    search_fields = ("name", "region_code", "party")
    exclude = ("alert_token_hash", "alert_link_sent_at")


@admin.register(PositionRequest)
class PositionRequestAdmin(admin.ModelAdmin):
    list_display = ("representative", "petition", "region_code", "asked_at", "position")
    list_filter = ("position",)
    raw_id_fields = ("petition", "representative")
    readonly_fields = [f.name for f in PositionRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
