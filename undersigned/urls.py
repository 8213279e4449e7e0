from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from undersigned.accounts.views import staff_login
from undersigned.lib import outbox
from undersigned.lib.http import same_origin_post
from undersigned.signatures import pow
from undersigned.web import health
from undersigned.web.errors import bad_request, not_found, permission_denied, server_error

# Staff sign in through accounts: password attempts limited per address and per account,
# then (STAFF_TWO_FACTOR) an e-mailed link.
admin.site.login = staff_login

urlpatterns = [
    path("", include("undersigned.petitions.urls")),
    path("", include("undersigned.signatures.urls")),
    path("", include("undersigned.transparency.urls")),
    path("", include("undersigned.privacy.urls")),
    path("", include("undersigned.api.site_urls")),
    path("", include("undersigned.dashboard.urls")),
    path("", include("undersigned.updates.urls")),
    path("", include("undersigned.responses.urls")),
    path("", include("undersigned.delivery.urls")),
    path("", include("undersigned.sharing.urls")),
    path("", include("undersigned.regions.urls")),
    path("", include("undersigned.representatives.urls")),
    path("accounts/", include("undersigned.accounts.urls")),
    path("moderation/", include("undersigned.moderation.urls")),
    path("api/", include("undersigned.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", same_origin_post(set_language), name="set_language"),
    path("pow/challenge", pow.challenge_view, name="pow_challenge"),
    path("outbox/", outbox.outbox_list, name="outbox"),
    path("outbox/<str:name>", outbox.outbox_letter, name="outbox_letter"),
    path("outbox/<str:name>/html", outbox.outbox_letter_html, name="outbox_letter_html"),
]

if settings.BENCH_FLOOR:
    from undersigned.signatures.floor import floor_sign

    urlpatterns.append(path("__bench__/floor/<int:pk>", floor_sign))

handler400 = bad_request
handler403 = permission_denied
handler404 = not_found
handler500 = server_error
