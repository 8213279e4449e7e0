"""Tasks are shims: load by id, call the action. The row's state makes reruns harmless."""

from django_tasks import task

from undersigned.signatures import actions, letters, mailing


@task()
def deliver_confirmations() -> int:
    """Send what is waiting, batch after batch (bounded: the worker's pump does the rest).

    In a worker whose mail pump runs, the pump sends them: it gives way to the web when
    the machine is full, which this task, sending flat out, would undo."""
    mailing.forget_nudge()
    if mailing.PUMPING.is_set():
        return 0
    sent = 0
    for _batch in range(20):
        done = mailing.send_confirmation_mails()
        sent += done
        if not done:
            break
    return sent


@task()
def deliver_confirmation(signature_id: int) -> bool:
    # Tasks queued before the rows became the queue (one per signature) still run.
    return mailing.send_confirmation_mail(signature_id)


@task()
def refresh_counts() -> int:
    return actions.refresh_counts()


@task()
def requeue_lost_confirmation_mails() -> int:
    return mailing.requeue_lost_confirmation_mails()


@task()
def queue_reminders() -> int:
    from undersigned.signatures.reminders import queue_reminders

    return queue_reminders()


@task()
def run_invalidation(invalidation_id: int) -> int:
    from undersigned.signatures.invalidation import continue_invalidation

    return continue_invalidation(invalidation_id)


@task()
def email_receipt(signature_id: int) -> bool:
    return letters.send_receipt(signature_id)
