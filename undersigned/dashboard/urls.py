from django.urls import path

from undersigned.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("petitions/<int:pk>/dashboard", views.petition_dashboard, name="petition"),
]
