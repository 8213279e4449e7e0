from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from undersigned.lib import health, outbox
from undersigned.lib.ratelimit import limit_posts
from undersigned.lib.errors import bad_request, not_found, permission_denied, server_error

# Staff passwords: at most 10 sign-in attempts per address per 5 minutes.
admin.site.login = limit_posts("admin-login", 10, 300)(admin.site.login)

urlpatterns = [
    path("", include("undersigned.petitions.urls")),
    path("", include("undersigned.signatures.urls")),
    path("", include("undersigned.transparency.urls")),
    path("", include("undersigned.privacy.urls")),
    path("accounts/", include("undersigned.accounts.urls")),
    path("moderation/", include("undersigned.moderation.urls")),
    path("api/", include("undersigned.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("outbox/", outbox.outbox_list, name="outbox"),
    path("outbox/<str:name>", outbox.outbox_letter, name="outbox_letter"),
]

if settings.BENCH_FLOOR:
    from undersigned.signatures.floor import floor_sign

    urlpatterns.append(path("__bench__/floor/<int:pk>", floor_sign))

handler400 = bad_request
handler403 = permission_denied
handler404 = not_found
handler500 = server_error
