from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "undersigned.transparency"
    label = "transparency"
    periodic_jobs = {
        "sequence_log": ("CLOCK_SECONDS", "undersigned.transparency.tasks.sequence_entries"),
        "publish_checkpoints": (
            "TRANSPARENCY_CHECKPOINT_SECONDS",
            "undersigned.transparency.tasks.publish_checkpoints",
        ),
    }
