from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "undersigned.lib"
    label = "lib"
