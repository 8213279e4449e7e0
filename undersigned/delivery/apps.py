from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """What reaches the decision makers: delivery packs (PDF, CSV), organizers' exports,
    paper signature sheets."""

    name = "undersigned.delivery"
    label = "delivery"
