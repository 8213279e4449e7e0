"""Block and allow lists, and the records of moderators' fraud work, in the Django admin.

A list entry is normalised by `ListEntry.clean()` (the admin's form runs `full_clean()`),
and the lists cached by `signatures/risk.py` are forgotten after every change, so an
entry applies to the next signature. Invalidations and trending alerts are records: they
are made and undone only through the fraud pages, which keep the counts exact.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from undersigned.moderation.models import ListEntry, TrendingAlert
from undersigned.signatures.models import Invalidation
from undersigned.signatures.risk import forget_lists


def lists_changed() -> None:
    """Forget the cached lists now, and again once the change is committed (a request in
    between could otherwise cache the old lists for another minute)."""
    forget_lists()
    transaction.on_commit(forget_lists)


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "note", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")
    fields = ("kind", "value", "note", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: ListEntry, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        lists_changed()

    def delete_model(self, request: HttpRequest, obj: ListEntry) -> None:
        super().delete_model(request, obj)
        lists_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ListEntry]) -> None:
        super().delete_queryset(request, queryset)
        lists_changed()


class RecordAdmin(admin.ModelAdmin):
    """Look, never touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Invalidation)
class InvalidationAdmin(RecordAdmin):
    list_display = ("pk", "petition", "state", "matched", "invalidated", "created_by", "created_at")
    list_filter = ("state",)
    list_select_related = ("petition", "created_by")
    search_fields = ("petition__title", "reason")
    date_hierarchy = "created_at"


@admin.register(TrendingAlert)
class TrendingAlertAdmin(RecordAdmin):
    list_display = ("window_start", "petition", "kind", "value", "count")
    list_filter = ("kind",)
    list_select_related = ("petition",)
    search_fields = ("value", "petition__title")
    date_hierarchy = "window_start"
