from django.urls import path

from undersigned.petitions import authoring, translating, views

app_name = "petitions"
urlpatterns = [
    path("", views.home, name="home"),
    path("petitions/", views.petition_list, name="list"),
    path("petitions/<int:pk>", views.detail, name="detail"),
    path("petitions/<int:pk>.json", views.detail_json, name="detail_json"),
    path("petitions/<int:pk>/count", views.count_block, name="count"),
    # Organizers: write, preview, submit, edit and close their own petitions.
    path("petitions/new", authoring.new, name="new"),
    path("petitions/<int:pk>/edit", authoring.edit, name="edit"),
    path("petitions/<int:pk>/submit", authoring.submit, name="submit"),
    path("petitions/<int:pk>/close", authoring.close, name="close"),
    path("petitions/<int:pk>/translations", translating.translations, name="translations"),
]
