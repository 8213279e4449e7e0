"""Tasks are shims: call the action. The pack's state makes reruns harmless."""

from django_tasks import task

from undersigned.delivery import actions


@task()
def build_delivery_pack(pack_id: int) -> str:
    return actions.build_pack(pack_id)


@task()
def recover_stuck_packs() -> int:
    return actions.recover_stuck_packs()


@task()
def forget_old_packs() -> int:
    return actions.forget_old_packs()
