"""Tasks are shims: call the action. The rows' state makes reruns harmless."""

from django_tasks import task

from undersigned.privacy import actions


@task()
def anonymise_expired() -> int:
    return actions.anonymise_expired()


@task()
def forget_data_requests() -> int:
    return actions.forget_data_requests()
