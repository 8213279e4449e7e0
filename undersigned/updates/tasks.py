"""Tasks are shims: load by id, call the action. The rows' state makes reruns harmless."""

from django_tasks import task

from undersigned.updates import duplicates, mailing


@task()
def send_update_emails(update_id: int) -> int:
    return mailing.send_next_batch(update_id)


@task()
def resume_stuck_mailings() -> int:
    return mailing.resume_stuck_mailings()


@task()
def tell_duplicate_signers() -> int:
    return duplicates.tell_duplicate_signers()
