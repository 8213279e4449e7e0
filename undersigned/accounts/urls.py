from django.urls import path

from undersigned.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:token>", views.sign_in_link, name="sign_in_link"),
    path("staff-sign-in/", views.staff_login, name="staff_sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
