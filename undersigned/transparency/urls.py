from django.urls import path

from undersigned.transparency import api, views

app_name = "transparency"
urlpatterns = [
    path("petitions/<int:pk>/log", views.log_page, name="log"),
    path("petitions/<int:pk>/log/receipt", views.receipt, name="receipt"),
    # The public ledger of changes to the count (ledger.py), for people and as JSON.
    path("petitions/<int:pk>/changes", views.changes_page, name="changes"),
    path("petitions/<int:pk>/changes.json", views.changes_json, name="changes_json"),
    # JSON, for verifiers: see docs/transparency.md.
    path("petitions/<int:pk>/log/checkpoint", api.latest_checkpoint, name="checkpoint"),
    path("petitions/<int:pk>/log/checkpoints", api.checkpoint_history, name="checkpoints"),
    path("petitions/<int:pk>/log/entries", api.entries, name="entries"),
    path("petitions/<int:pk>/log/proof/inclusion", api.inclusion_proof, name="inclusion"),
    path("petitions/<int:pk>/log/proof/consistency", api.consistency_proof, name="consistency"),
    path(".well-known/undersigned-log-key", api.signing_keys, name="keys"),
]
