from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "undersigned.moderation"
    label = "moderation"
    periodic_jobs = {"detect_trending": (3600, "undersigned.moderation.tasks.detect_trending")}
