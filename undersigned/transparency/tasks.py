"""Tasks are shims: the actions check the log's state, so reruns are harmless."""

from django_tasks import task

from undersigned.transparency import actions


@task()
def sequence_entries() -> int:
    return actions.sequence_entries()


@task()
def publish_checkpoints() -> int:
    return actions.publish_checkpoints()


@task()
def publish_checkpoint(petition_id: int) -> bool:
    """When a petition closes: its final count, signed without waiting for the clock."""
    return actions.publish_checkpoint(petition_id) is not None
