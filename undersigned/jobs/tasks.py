from django_tasks import task

from undersigned.jobs import actions


@task()
def retry_jobs() -> int:
    return actions.retry_jobs()


@task()
def prune_jobs() -> int:
    return actions.prune_jobs()
