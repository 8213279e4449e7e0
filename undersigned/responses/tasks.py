"""Tasks are shims: load by id, call the action. The row's state makes reruns harmless."""

from django_tasks import task

from undersigned.responses import actions


@task()
def notify_targets() -> int:
    return actions.notify_targets()


@task()
def send_notification(notification_id: int) -> bool:
    return actions.send_notification(notification_id)
