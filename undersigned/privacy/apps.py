from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "undersigned.privacy"
    label = "privacy"
