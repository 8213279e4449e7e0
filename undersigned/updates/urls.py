from django.urls import path

from undersigned.updates import views

app_name = "updates"
urlpatterns = [
    path("petitions/<int:pk>/updates/new", views.new_update, name="new"),
    path("petitions/<int:pk>/victory", views.victory, name="victory"),
    path("moderation/updates", views.approval_queue, name="approval_queue"),
    path("moderation/updates/<int:pk>", views.decide, name="decide"),
]
