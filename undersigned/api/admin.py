"""API keys in the Django admin: staff make, scope and revoke partners' keys.

A new key's raw value is shown once, on the page that answers the "Save" (never in a
message: messages travel in a cookie), and only its hash is kept.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from undersigned.api.models import ApiKey, PartnerSubmission, Webhook, WebhookDelivery


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "all_petitions", "rate_limit", "created_at", "revoked_at")
    list_filter = ("all_petitions", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    fields = (
        "name",
        "all_petitions",
        "petitions",
        "rate_limit",
        "prefix",
        "created_by",
        "created_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "created_by", "created_at", "revoked_at")
    autocomplete_fields = ("petitions",)
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
            obj._raw_key = obj.new_secret()  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue=None):
        raw = getattr(obj, "_raw_key", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "key": obj,
            "raw": raw,
            "opts": self.model._meta,
            "title": _("Copy the new key now"),
        }
        return TemplateResponse(request, "api/admin_key_created.html", context)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> HttpResponse | None:
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%d keys revoked.") % revoked, messages.SUCCESS)
        return None


@admin.register(PartnerSubmission)
class PartnerSubmissionAdmin(admin.ModelAdmin):
    list_display = ("reference", "api_key", "petition", "created_at")
    list_select_related = ("api_key", "petition")
    search_fields = ("reference",)
    raw_id_fields = ("api_key", "petition", "signature")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "petition", "created_by", "created_at")
    raw_id_fields = ("petition", "created_by")
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "webhook", "state", "attempts", "last_status", "created_at")
    list_filter = ("state", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
