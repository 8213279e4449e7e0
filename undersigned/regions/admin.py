"""Schemes and their regions in the Django admin. Regions, postcodes and maps are
imported from files (management commands); here an operator names a scheme, sets its
default quorum, and corrects a region's name or population."""

from __future__ import annotations

from django.contrib import admin

from undersigned.regions import lookups
from undersigned.regions.models import Region, Scheme


class ForgetOnSave:
    """Pages keep a scheme's regions for a few seconds per process (lookups.py): this
    process forgets them at once after a change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        lookups.forget()


@admin.register(Scheme)
class SchemeAdmin(ForgetOnSave, admin.ModelAdmin):
    list_display = ("name", "code", "quorum", "quorum_share", "schematic_map")
    search_fields = ("name", "code")
    readonly_fields = ("map_width", "map_height")


@admin.register(Region)
class RegionAdmin(ForgetOnSave, admin.ModelAdmin):
    list_display = ("name", "code", "scheme", "country", "parent", "population")
    list_filter = ("scheme",)
    search_fields = ("name", "code")
    list_select_related = ("scheme",)
