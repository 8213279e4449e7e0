"""Organizers' webhooks: signed, retried with backoff, never to private addresses, never
sent twice at once; and the page where organizers manage them."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import socket
import threading
from datetime import timedelta

import pytest
from django.urls import include, path, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from support import make_petition

from undersigned import urls as site_urls
from undersigned.accounts.models import User
from undersigned.api import transport, webhooks
from undersigned.api.models import MilestoneState, Webhook, WebhookDelivery
from undersigned.petitions.models import Petition

# The organizer's page lives outside /api/: include it here until the site's urls.py does.
urlpatterns = list(site_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "api_pages" for p in urlpatterns):
    urlpatterns.append(path("", include("undersigned.api.site_urls")))
handler400, handler403 = site_urls.handler400, site_urls.handler403
handler404, handler500 = site_urls.handler404, site_urls.handler500
pytestmark = pytest.mark.urls(__name__)


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (docs/api.md shows the same)."""
    signed = headers["X-Undersigned-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Undersigned-Signature"])


class Receiver:
    """Stands in for transport.post: records requests, answers with the statuses given."""

    def __init__(self, *statuses: int):
        self.statuses, self.requests = list(statuses), []

    def __call__(self, url: str, body: bytes, headers: dict) -> int:
        self.requests.append((url, body, headers))
        return self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def hook(petition, organizer) -> tuple[Webhook, str]:
    return webhooks.add_webhook(
        petition, "https://hooks.example.org/undersigned", ["milestone", "closed"], organizer
    )


@pytest.fixture
def receiver(monkeypatch) -> Receiver:
    receiver = Receiver()
    monkeypatch.setattr(transport, "post", receiver)
    return receiver


def only_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.get()


def test_an_event_is_delivered_signed_with_the_webhooks_secret(petition, hook, receiver, run_tasks):
    assert webhooks.emit(petition, "closed", {"signature_count": 12}) == 1
    assert webhooks.emit(petition, "response", {}) == 0  # this webhook did not ask for it
    run_tasks()
    ((url, body, headers),) = receiver.requests
    assert url == "https://hooks.example.org/undersigned"
    assert verify(hook[1], headers, body)
    assert not verify("whsec_wrong", headers, body)
    data = json.loads(body)
    assert data["event"] == "closed" and data["data"] == {"signature_count": 12}
    assert data["petition"]["id"] == petition.pk
    assert data["id"] == headers["X-Undersigned-Delivery"] == str(only_delivery().pk)
    assert only_delivery().state == "delivered"


def test_a_failed_delivery_is_retried_later_with_backoff(petition, hook, receiver, run_tasks):
    receiver.statuses = [500, 503]
    webhooks.emit(petition, "closed", {})
    run_tasks()
    delivery = only_delivery()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at - delivery.created_at >= timedelta(seconds=29)
    (retry,) = DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_webhook")
    assert retry.run_after == delivery.next_attempt_at
    assert run_tasks() == 0  # not before its time
    later = timezone.now() + timedelta(minutes=1)
    assert webhooks.deliver(str(delivery.pk), later) == "pending"  # 503
    assert only_delivery().next_attempt_at >= later + timedelta(seconds=59)
    assert webhooks.deliver(str(delivery.pk), later + timedelta(minutes=2)) == "delivered"
    assert len(receiver.requests) == 3 and only_delivery().attempts == 3


def test_it_gives_up_after_the_last_attempt(petition, hook, receiver):
    receiver.statuses = [500] * WebhookDelivery.MAX_ATTEMPTS
    webhooks.emit(petition, "closed", {})
    when = timezone.now()
    for _attempt in range(WebhookDelivery.MAX_ATTEMPTS):
        webhooks.deliver(str(only_delivery().pk), when)
        when += timedelta(days=1)
    assert (only_delivery().state, only_delivery().last_error) == ("failed", "HTTP 500")
    assert webhooks.deliver(str(only_delivery().pk), when) == "skipped"


def test_a_delivery_being_sent_is_not_sent_again_and_a_dead_workers_claim_expires(
    petition, hook, receiver
):
    webhooks.emit(petition, "closed", {})
    delivery_id, now = str(only_delivery().pk), timezone.now()
    # A worker claimed it, then died before it finished (no answer recorded).
    WebhookDelivery.objects.filter(pk=delivery_id).update(claimed_at=now)
    assert webhooks.deliver(delivery_id, now + timedelta(minutes=1)) == "skipped"
    assert webhooks.requeue_lost_deliveries(now + timedelta(minutes=3)) == 0
    assert receiver.requests == []
    later = now + WebhookDelivery.CLAIM_TIMEOUT + timedelta(minutes=3)
    assert webhooks.requeue_lost_deliveries(later) == 1
    assert webhooks.deliver(delivery_id, later) == "delivered"
    assert webhooks.deliver(delivery_id, later) == "skipped"  # the requeued task: nothing
    assert len(receiver.requests) == 1


def test_two_tasks_for_one_delivery_send_it_once(petition, hook, receiver, run_tasks):
    webhooks.emit(petition, "closed", {})
    webhooks.requeue_lost_deliveries(timezone.now() + timedelta(minutes=3))  # a duplicate
    assert run_tasks() == 2
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fd00::1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
    ],
)
def test_it_never_connects_to_a_private_address(petition, hook, monkeypatch, address):
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, 1, 6, "", (address, 443))]
    )
    connect = pytest.fail  # reaching a socket would fail the test
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connect("connected"))
    webhooks.emit(petition, "closed", {})
    assert webhooks.deliver(str(only_delivery().pk)) == "failed"  # at once: never retried
    assert "private address" in only_delivery().last_error


def test_only_https_addresses_are_accepted_outside_debug(petition, organizer, settings):
    with pytest.raises(transport.Refused):
        webhooks.add_webhook(petition, "http://hooks.example.org/x", ["closed"], organizer)
    settings.DEBUG = True
    webhooks.add_webhook(petition, "http://hooks.example.org/x", ["closed"], organizer)


def test_a_real_request_reaches_a_local_receiver_when_loopback_is_allowed(
    petition, organizer, settings
):
    settings.DEBUG = True  # allows http://, for local development only
    settings.WEBHOOK_ALLOW_LOOPBACK = True  # and 127.0.0.1, only because it is asked for
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook?x=1"
    _webhook, secret = webhooks.add_webhook(petition, url, ["closed"], organizer)
    webhooks.emit(petition, "closed", {})
    assert webhooks.deliver(str(only_delivery().pk)) == "delivered"
    server.server_close()
    ((headers, body),) = received
    assert verify(secret, headers, body) and headers["X-Undersigned-Event"] == "closed"


def test_a_milestone_is_announced_once_per_rung(petition, hook, receiver, run_tasks):
    for count, expected in [(99, 0), (100, 1), (240, 0), (600, 1), (600, 0)]:
        Petition.objects.filter(pk=petition.pk).update(signature_count=count)
        assert webhooks.check_milestones() == expected, count
    run_tasks()
    milestones = [json.loads(body)["data"]["milestone"] for _u, body, _h in receiver.requests]
    assert milestones == [100, 500]
    assert MilestoneState.objects.get(petition=petition).last_rung == 500


def test_a_new_webhook_hears_only_of_milestones_still_to_come(petition, organizer, receiver):
    Petition.objects.filter(pk=petition.pk).update(signature_count=300)
    petition.refresh_from_db()
    webhooks.add_webhook(petition, "https://hooks.example.org/", ["milestone"], organizer)
    assert webhooks.check_milestones() == 0
    Petition.objects.filter(pk=petition.pk).update(signature_count=500)
    assert webhooks.check_milestones() == 1


# The organizer's page.


def test_the_creator_adds_a_webhook_and_sees_its_secret_once(client, petition, organizer):
    client.force_login(organizer)
    page = reverse("api_pages:webhooks", args=[petition.pk])
    response = client.post(page, {"url": "https://hooks.example.org/a", "events": ["closed"]})
    assert response.status_code == 200
    secret = Webhook.objects.get().secret
    assert secret in response.content.decode()
    again = client.get(page).content.decode()
    assert "https://hooks.example.org/a" in again and secret not in again


def test_a_plain_http_address_is_refused_with_a_message(client, petition, organizer):
    client.force_login(organizer)
    response = client.post(
        reverse("api_pages:webhooks", args=[petition.pk]),
        {"url": "http://hooks.example.org/a", "events": ["closed"]},
    )
    assert response.status_code == 400 and b"https://" in response.content
    assert not Webhook.objects.exists()


def test_the_creator_deletes_a_webhook(client, petition, organizer, hook):
    client.force_login(organizer)
    response = client.post(reverse("api_pages:webhook_delete", args=[petition.pk, hook[0].pk]))
    assert response.status_code == 303 and not Webhook.objects.exists()


def test_someone_elses_petition_is_a_404_and_strangers_must_sign_in(client, petition, hook):
    page = reverse("api_pages:webhooks", args=[petition.pk])
    assert client.get(page).status_code == 302  # to the sign-in page
    client.force_login(User.objects.create_user("other@example.org"))
    assert client.get(page).status_code == 404
    delete = reverse("api_pages:webhook_delete", args=[petition.pk, hook[0].pk])
    assert client.post(delete).status_code == 404
    assert Webhook.objects.exists()


def test_staff_may_manage_any_petitions_webhooks(client, petition, moderator):
    client.force_login(moderator)
    assert client.get(reverse("api_pages:webhooks", args=[petition.pk])).status_code == 200


def test_closing_a_petition_can_emit_the_closed_event(petition, hook, receiver, run_tasks):
    """What the lead's close_petition will call, inside its transaction."""
    other = make_petition(petition.creator, title="No webhooks here")
    assert webhooks.emit(other, "closed", {}) == 0
    payload = {"closed_at": timezone.now(), "signature_count": 0}  # as close_petition sends
    assert webhooks.emit(petition, "closed", payload) == 1
    run_tasks()
    assert json.loads(receiver.requests[0][1])["data"]["closed_at"].endswith("Z")
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhooks.emit(petition, "opened", {})
