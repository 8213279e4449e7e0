from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Share links, the share image, the poster with its QR code, the embeddable widget."""

    name = "undersigned.sharing"
    label = "sharing"
