from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepresentativesConfig(AppConfig):
    """Elected representatives: asked for a public position when their region reaches a
    petition's quorum, and told, if they subscribe, when it reaches their own number.
    The top layer: nothing imports it; petition pages draw its parts with its template
    tags (`{% load representatives %}`)."""

    name = "undersigned.representatives"
    verbose_name = _("Representatives")
    periodic_jobs = {
        "ask_representatives": (60, "undersigned.representatives.tasks.ask_representatives"),
        "alert_representatives": (
            300,
            "undersigned.representatives.tasks.alert_representatives",
        ),
    }
