from django.urls import path

from undersigned.signatures import views

app_name = "signatures"
urlpatterns = [
    path("petitions/<int:pk>/sign", views.sign, name="sign"),
    path("petitions/<int:pk>/signed", views.signed, name="signed"),
    path("confirm/<str:token>", views.confirm, name="confirm"),
    path("confirm/<str:token>/resend", views.resend, name="resend"),
    path("thanks/<str:key>", views.thanks, name="thanks"),
    path("thanks/<str:key>/receipt", views.email_receipt, name="email_receipt"),
    path("withdraw/<str:key>", views.withdraw, name="withdraw"),
]
