from django.urls import path

from undersigned.petitions import authoring, supporters, translating, views

app_name = "petitions"
urlpatterns = [
    path("", views.home, name="home"),
    path("petitions/", views.petition_list, name="list"),
    # /petitions/12-keep-the-library-open: the id finds it, the slug is for people.
    # The bare id and any other slug redirect there (views.detail).
    path("petitions/<int:pk>", views.detail, name="detail"),
    path("petitions/<int:pk>-<str:slug>", views.detail, name="detail"),
    path("petitions/<int:pk>.json", views.detail_json, name="detail_json"),
    path("petitions/similar.json", views.similar_json, name="similar"),
    path("petitions/<int:pk>/count", views.count_block, name="count"),
    # Organizers: write, preview, submit, edit and close their own petitions.
    path("petitions/new", authoring.new, name="new"),
    path("petitions/<int:pk>/edit", authoring.edit, name="edit"),
    path("petitions/<int:pk>/submit", authoring.submit, name="submit"),
    path("petitions/<int:pk>/close", authoring.close, name="close"),
    path("petitions/<int:pk>/translations", translating.translations, name="translations"),
    # The private link for a petition's first supporters (a secret: lib/logredact.py).
    path("petitions/<int:pk>/support/<str:key>", supporters.support, name="support"),
]
