from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class ApiConfig(AppConfig):
    name = "undersigned.api"
    label = "api"
    periodic_jobs = {
        "check_milestones": (60, "undersigned.api.tasks.check_milestones"),
        "requeue_webhooks": (60, "undersigned.api.tasks.requeue_lost_deliveries"),
    }

    def ready(self) -> None:
        from undersigned.api import receivers
        from undersigned.petitions import hooks
        from undersigned.petitions.models import Petition

        checks.register(docs_assets_installed)
        hooks.state_changed.connect(
            receivers.petition_state_changed, sender=Petition, dispatch_uid="api"
        )


def docs_assets_installed(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """/api/v1/docs serves Swagger UI from django-ninja's static files, never a CDN."""
    if "ninja" in settings.INSTALLED_APPS:
        return []
    return [
        checks.Warning(
            "'ninja' is missing from INSTALLED_APPS.",
            hint="Add it: the API's docs page serves Swagger UI from ninja's static files.",
            id="api.W001",
        )
    ]
