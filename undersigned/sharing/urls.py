from django.urls import path, re_path

from undersigned.sharing import views

app_name = "sharing"
urlpatterns = [
    path("petitions/<int:pk>/share.png", views.share_image, name="image"),
    path("petitions/<int:pk>/qr.svg", views.qr_code, name="qr"),
    path("petitions/<int:pk>/poster.pdf", views.poster_pdf, name="poster"),
    path("petitions/<int:pk>/embed", views.embed, name="embed"),
    path("petitions/<int:pk>/picture", views.picture, name="picture"),
    path("petitions/<int:pk>/picture/remove", views.picture_remove, name="picture_remove"),
    # A picture's files: pictures/<petition>/<key>-<width>.<webp|jpg> (models.Picture).
    re_path(
        r"^pictures/(?P<petition>[0-9]+)/(?P<name>[A-Za-z0-9_-]+-[0-9]+\.(?:webp|jpg))$",
        views.picture_file,
        name="picture_file",
    ),
    path("moderation/pictures", views.picture_queue, name="picture_queue"),
    path("moderation/pictures/<int:pk>", views.picture_decision, name="picture_decision"),
]
