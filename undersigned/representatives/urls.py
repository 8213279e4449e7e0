from django.urls import path

from undersigned.representatives import views

app_name = "representatives"
urlpatterns = [
    path("representatives/<int:pk>", views.detail, name="detail"),
    path("representatives/subscribe", views.subscribe, name="subscribe"),
    # Private links: their prefixes are in lib/logredact.LINK_PREFIXES (never logged or
    # served from the page cache).
    path("representatives/answer/<str:token>", views.answer, name="answer"),
    path("representatives/answer/<str:token>/new-link", views.new_link, name="new_link"),
    path("representatives/alerts/<str:token>", views.alerts, name="alerts"),
    path("waiting", views.waiting, name="waiting"),
]
