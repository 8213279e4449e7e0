"""Signatures in the Django admin: read-only, for answering questions and spotting fraud.

Nothing here changes a count. Adding, editing or deleting a row would put the count
shards out of step with the rows, so the admin only looks; removing a signature goes
through `withdraw_signature`, which erases the signer's data and takes it off the count.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from undersigned.signatures import actions
from undersigned.signatures.models import Signature, normalize_email


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("pk", "petition", "name", "country", "confirmed_at", "withdrawn_at")
    list_filter = ("country", ("confirmed_at", admin.EmptyFieldListFilter), "public")
    search_fields = ("=email_normalized", "name", "petition__title")
    list_select_related = ("petition",)
    date_hierarchy = "created_at"
    actions = ["withdraw"]
    exclude = ("token_hash",)  # even its hash stays out of sight

    def get_search_results(self, request, queryset, search_term: str):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:  # an address finds its signatures however it was typed
            found |= queryset.filter(email_normalized=normalize_email(search_term))
        return found, duplicates

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in Signature._meta.fields if f.name != "token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Remove the selected signatures (erases the signers’ data)"))
    def withdraw(self, request, queryset) -> None:
        removed = sum(actions.withdraw_signature(signature) for signature in queryset)
        self.message_user(
            request,
            ngettext("Removed %(n)d signature.", "Removed %(n)d signatures.", removed)
            % {"n": removed},
            messages.SUCCESS,
        )
