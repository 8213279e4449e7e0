"""Tasks are shims: load by id, call the action. The row's state makes reruns harmless."""

from django_tasks import task

from undersigned.api import webhooks


@task()
def deliver_webhook(delivery_id: str) -> str:
    return webhooks.deliver(delivery_id)


@task()
def check_milestones() -> int:
    return webhooks.check_milestones()


@task()
def requeue_lost_deliveries() -> int:
    return webhooks.requeue_lost_deliveries()
