from django.urls import path

from undersigned.signatures import regions, views

app_name = "signatures"
urlpatterns = [
    path("petitions/<int:pk>/sign", views.sign, name="sign"),
    path("petitions/<int:pk>/signed", views.signed, name="signed"),
    path("confirm/<str:token>", views.confirm, name="confirm"),
    path("confirm/<str:token>/resend", views.resend, name="resend"),
    path("thanks/<str:key>", views.thanks, name="thanks"),
    path("thanks/<str:key>/receipt", views.email_receipt, name="email_receipt"),
    path("withdraw/<str:key>", views.withdraw, name="withdraw"),
    path("petitions/<int:pk>/regions", regions.breakdown, name="regions"),
    path("petitions/<int:pk>/regions.json", regions.breakdown_json, name="regions_json"),
    path("petitions/<int:pk>/regions.csv", regions.breakdown_csv, name="regions_csv"),
]
