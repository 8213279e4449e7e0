"""The API's pages on the site itself (outside /api/): an organizer's webhooks."""

from django.urls import path

from undersigned.api import views

app_name = "api_pages"
urlpatterns = [
    path("petitions/<int:pk>/webhooks", views.webhook_list, name="webhooks"),
    path(
        "petitions/<int:pk>/webhooks/<int:webhook_pk>/delete",
        views.webhook_delete,
        name="webhook_delete",
    ),
]
