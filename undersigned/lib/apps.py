from django.apps import AppConfig
from django.core import checks


class LibConfig(AppConfig):
    name = "undersigned.lib"
    label = "lib"

    def ready(self) -> None:
        from undersigned.lib.checks import check_cluster

        checks.register(check_cluster, checks.Tags.compatibility)
