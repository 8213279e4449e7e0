from django_tasks import task

from undersigned.petitions import actions


@task()
def close_due_petitions() -> int:
    return actions.close_due_petitions()
