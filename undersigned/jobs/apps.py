from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "undersigned.jobs"
    label = "jobs"
    periodic_jobs = {
        "retry_jobs": (60, "undersigned.jobs.tasks.retry_jobs"),
        "prune_jobs": (3600, "undersigned.jobs.tasks.prune_jobs"),
    }
