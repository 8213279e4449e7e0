from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    """Decision makers: notified when a petition opens and at thresholds; they answer
    through a private link, and the answer is published on the petition."""

    name = "undersigned.responses"
    label = "responses"
    periodic_jobs = {"notify_targets": (60, "undersigned.responses.tasks.notify_targets")}
