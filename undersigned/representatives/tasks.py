"""Tasks are shims: load by id, call the action. The rows' state makes reruns harmless."""

from django_tasks import task

from undersigned.representatives import actions, subscriptions, telling


@task()
def ask_representatives() -> int:
    return actions.ask_representatives()


@task()
def send_request(request_id: int) -> bool:
    return actions.send_request(request_id)


@task()
def tell_signers(request_id: int) -> int:
    return telling.tell_signers(request_id)


@task()
def alert_representatives() -> int:
    return subscriptions.alert_representatives()


@task()
def send_alert(alert_id: int) -> bool:
    return subscriptions.send_alert(alert_id)


@task()
def send_alert_link(representative_id: int, language: str) -> bool:
    return subscriptions.send_alert_link(representative_id, language)
