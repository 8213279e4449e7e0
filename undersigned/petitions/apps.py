from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "undersigned.petitions"
    label = "petitions"
    # The worker's clock runs these (jobs/actions.py): {name: (seconds, or the name of a
    # setting that says how many; the task to enqueue)}.
    periodic_jobs = {"close_due_petitions": (60, "undersigned.petitions.tasks.close_due_petitions")}
