from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "undersigned.transparency"
    label = "transparency"
