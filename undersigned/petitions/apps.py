from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "undersigned.petitions"
    label = "petitions"
    # The worker's clock runs these (jobs/actions.py): {name: (seconds, or the name of a
    # setting that says how many; the task to enqueue)}.
    periodic_jobs = {"close_due_petitions": (60, "undersigned.petitions.tasks.close_due_petitions")}

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # A later migration that rebuilds petitions_petition on SQLite drops the search
        # triggers with the old table: put them back after every migrate (similar.py).
        post_migrate.connect(_repair_sqlite_search, sender=self, dispatch_uid="similar-search")


def _repair_sqlite_search(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from undersigned.petitions import similar

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    applied = MigrationRecorder(connection).applied_migrations()
    if ("petitions", "0006_similar_search_slugs") not in applied:
        return  # not there yet, or migrated back on purpose
    similar.install_sqlite_search(connection)
