from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "undersigned.signatures"
    label = "signatures"
    periodic_jobs = {
        "refresh_counts": ("CLOCK_SECONDS", "undersigned.signatures.tasks.refresh_counts"),
        "requeue_lost_mails": (60, "undersigned.signatures.tasks.requeue_lost_confirmation_mails"),
        "queue_reminders": (600, "undersigned.signatures.tasks.queue_reminders"),
    }

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from undersigned.petitions import hooks
        from undersigned.petitions.models import Petition
        from undersigned.signatures import receivers
        from undersigned.signatures.actions import count_for
        from undersigned.signatures.regions import region_counts
        from undersigned.signatures.views import forget_signing_facts

        # A petition closed or hidden in this process stops taking signatures at once.
        post_save.connect(forget_signing_facts, sender=Petition, dispatch_uid="signing-facts")
        hooks.state_changed.connect(
            receivers.petition_state_changed, sender=Petition, dispatch_uid="signatures"
        )
        # The petition's JSON shows the count kept here (its page uses our template tags).
        hooks.count_signatures_with(count_for)
        # …and by region, for its JSON and the API (regions.py).
        hooks.count_regions_with(region_counts)
