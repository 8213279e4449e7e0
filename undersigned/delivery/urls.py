from django.urls import path

from undersigned.delivery import views

app_name = "delivery"
urlpatterns = [
    path("petitions/<int:pk>/delivery/packs", views.request_pack, name="request_pack"),
    path(
        "petitions/<int:pk>/delivery/packs/<int:pack_id>.<str:kind>",
        views.download_pack,
        name="download_pack",
    ),
    path("petitions/<int:pk>/delivery/contacts.csv", views.download_contacts, name="contacts"),
    path("petitions/<int:pk>/paper", views.paper_sheets, name="paper"),
    path("petitions/<int:pk>/paper/<int:sheet_id>", views.edit_paper_sheet, name="edit_paper"),
    path(
        "petitions/<int:pk>/paper/<int:sheet_id>/delete",
        views.delete_paper_sheet,
        name="delete_paper",
    ),
]
