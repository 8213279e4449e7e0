from django.urls import path

from undersigned.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>", views.review, name="review"),
    path("<int:pk>/duplicate", views.duplicate, name="duplicate"),
    path("addresses", views.addresses, name="addresses"),
    path("addresses/<int:pk>", views.address_decision, name="address_decision"),
    path("petitions/<int:pk>/fraud", views.fraud_page, name="fraud"),
    path("petitions/<int:pk>/release", views.release, name="release"),
    path("petitions/<int:pk>/invalidate", views.invalidate, name="invalidate"),
    path("invalidations/<int:pk>/cancel", views.invalidation_cancel, name="invalidation_cancel"),
    path("invalidations/<int:pk>/revert", views.invalidation_revert, name="invalidation_revert"),
]
