from django.urls import path

from undersigned.regions import views

app_name = "regions"
urlpatterns = [
    path("regions/<slug:scheme>/<str:country>.json", views.choices, name="choices"),
]
