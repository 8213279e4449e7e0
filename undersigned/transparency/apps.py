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

    def ready(self) -> None:
        from undersigned.petitions import hooks
        from undersigned.petitions.models import Petition
        from undersigned.transparency import receivers

        hooks.state_changed.connect(
            receivers.petition_state_changed, sender=Petition, dispatch_uid="transparency"
        )
