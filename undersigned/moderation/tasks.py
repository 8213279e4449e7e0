"""Tasks are shims: call the action. The unique alert key makes reruns harmless."""

from django_tasks import task

from undersigned.moderation import trending


@task()
def detect_trending() -> int:
    return len(trending.detect_trending())
