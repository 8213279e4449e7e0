from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The organizer's dashboard: figures, charts, map, co-organizers."""

    name = "undersigned.dashboard"
    label = "dashboard"
