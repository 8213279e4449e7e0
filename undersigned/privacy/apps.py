from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "undersigned.privacy"
    label = "privacy"
    periodic_jobs = {
        "anonymise_expired": (600, "undersigned.privacy.tasks.anonymise_expired"),
        "forget_data_requests": (3600, "undersigned.privacy.tasks.forget_data_requests"),
    }
