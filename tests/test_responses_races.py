"""Several workers, or several clicks, at the same moment: each notification is sent
once and each link publishes once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from support import in_parallel, make_petition, run_queued_tasks

from undersigned.accounts.models import User
from undersigned.responses import actions
from undersigned.responses.models import Notification
from undersigned.updates.models import Update

pytestmark = pytest.mark.django_db(transaction=True)

MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "maria@example.org"}


@pytest.fixture
def addressed():
    organizer = User.objects.create_user("org@example.org")
    moderator = User.objects.create_user("mod@example.org", is_staff=True)
    return make_petition(organizer, moderator, targets=[MAYOR], notify_targets=True)


def test_workers_running_the_job_at_once_send_the_notification_once(addressed):
    results = in_parallel(lambda i: actions.notify_targets(), 6)
    assert sorted(results) == [0, 0, 0, 0, 0, 1], results
    run_queued_tasks()
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_simultaneous_posts_from_one_link_publish_once(addressed):
    actions.notify_targets()
    run_queued_tasks()
    link = re.search(r"https?://[^/\s]+(/respond/\S+)", mail.outbox[-1].body).group(1)
    answer = {"responder": "Maria Rossi, Mayor", "text": "We will restore Sunday hours soon."}
    statuses = in_parallel(lambda i: Client().post(link, answer).status_code, 6)
    assert sorted(statuses) == [303, 410, 410, 410, 410, 410], statuses
    assert Update.objects.filter(kind=Update.Kind.RESPONSE).count() == 1
