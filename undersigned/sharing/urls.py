from django.urls import path

from undersigned.sharing import views

app_name = "sharing"
urlpatterns = [
    path("petitions/<int:pk>/share.png", views.share_image, name="image"),
    path("petitions/<int:pk>/qr.svg", views.qr_code, name="qr"),
    path("petitions/<int:pk>/poster.pdf", views.poster_pdf, name="poster"),
    path("petitions/<int:pk>/embed", views.embed, name="embed"),
]
