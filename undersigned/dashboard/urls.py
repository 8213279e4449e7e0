from django.urls import path
from django.views.generic import RedirectView

from undersigned.dashboard import views

app_name = "dashboard"
urlpatterns = [
    # The dashboard's sections (views.SECTIONS), each at an address of its own.
    path("petitions/<int:pk>/dashboard", views.petition_dashboard, name="petition"),
    path("petitions/<int:pk>/dashboard/signatures", views.signatures, name="signatures"),
    path("petitions/<int:pk>/dashboard/updates", views.updates, name="updates"),
    path(
        "petitions/<int:pk>/dashboard/decision-makers",
        views.decision_makers,
        name="decision_makers",
    ),
    path("petitions/<int:pk>/dashboard/delivery", views.delivery, name="delivery"),
    path("petitions/<int:pk>/dashboard/sharing", views.sharing, name="sharing"),
    path("petitions/<int:pk>/dashboard/organizers", views.organizers, name="organizers"),
    path("petitions/<int:pk>/dashboard/map.svg", views.world_map, name="map"),
    # The co-organizers' page was here before it became a section: old bookmarks still work.
    path(
        "petitions/<int:pk>/organizers",
        RedirectView.as_view(pattern_name="dashboard:organizers", permanent=True),
    ),
    path("petitions/<int:pk>/organizers/invite", views.invite, name="invite"),
    path(
        "petitions/<int:pk>/organizers/<int:organizer_pk>/role",
        views.change_role,
        name="change_role",
    ),
    path("petitions/<int:pk>/organizers/<int:organizer_pk>/remove", views.remove, name="remove"),
    path("organizers/invitations/<str:token>", views.invitation, name="invitation"),
]
