from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """What reaches the decision makers: delivery packs (PDF, CSV), organizers' exports,
    paper signature sheets."""

    name = "undersigned.delivery"
    label = "delivery"
    # A pack whose worker was killed mid-way is queued again (actions.recover_stuck_packs).
    # Packs older than DELIVERY_KEEP_DAYS are deleted (actions.forget_old_packs).
    periodic_jobs = {
        "forget_old_delivery_packs": (3600, "undersigned.delivery.tasks.forget_old_packs"),
        "recover_delivery_packs": (300, "undersigned.delivery.tasks.recover_stuck_packs"),
    }
