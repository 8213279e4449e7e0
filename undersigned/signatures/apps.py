from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "undersigned.signatures"
    label = "signatures"
    periodic_jobs = {
        "refresh_counts": ("CLOCK_SECONDS", "undersigned.signatures.tasks.refresh_counts"),
        "requeue_lost_mails": (60, "undersigned.signatures.tasks.requeue_lost_confirmation_mails"),
    }

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from undersigned.petitions.models import Petition
        from undersigned.signatures.views import forget_signing_facts

        # A petition closed or hidden in this process stops taking signatures at once.
        post_save.connect(forget_signing_facts, sender=Petition, dispatch_uid="signing-facts")
