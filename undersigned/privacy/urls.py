from django.urls import path

from undersigned.privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy", views.policy, name="policy"),
    path("unsubscribe/<str:key>", views.unsubscribe, name="unsubscribe"),
    path("my-data", views.data_request, name="request"),
    path("my-data/<str:token>", views.data_link, name="data_link"),
]
