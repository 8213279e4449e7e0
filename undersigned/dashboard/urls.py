from django.urls import path

from undersigned.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("petitions/<int:pk>/dashboard", views.petition_dashboard, name="petition"),
    path("petitions/<int:pk>/dashboard/map.svg", views.world_map, name="map"),
    path("petitions/<int:pk>/organizers", views.organizers, name="organizers"),
    path("petitions/<int:pk>/organizers/invite", views.invite, name="invite"),
    path(
        "petitions/<int:pk>/organizers/<int:organizer_pk>/role",
        views.change_role,
        name="change_role",
    ),
    path("petitions/<int:pk>/organizers/<int:organizer_pk>/remove", views.remove, name="remove"),
    path("organizers/invitations/<str:token>", views.invitation, name="invitation"),
]
