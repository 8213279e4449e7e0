from django.urls import path

from undersigned.responses import views

app_name = "responses"
urlpatterns = [
    path("respond/<str:token>", views.respond, name="respond"),
    path("respond/<str:token>/new-link", views.new_link, name="new_link"),
    path("responded/<str:key>", views.published, name="published"),
    path(
        "petitions/<int:pk>/decision-makers/<int:target_pk>/notify",
        views.resend,
        name="resend",
    ),
    path(
        "petitions/<int:pk>/decision-makers/<int:target_pk>/email",
        views.target_email,
        name="target_email",
    ),
    path("petitions/<int:pk>/decision-makers/notify", views.toggle_notify, name="toggle_notify"),
]
