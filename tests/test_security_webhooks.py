"""Webhook addresses: only public ones, in every mode (DEBUG too); loopback only when a
local developer opts in; and the webhooks page never tells how a remote answered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from test_api_webhooks import only_delivery, urlpatterns  # noqa: F401 (the page's urls)

from undersigned.api import transport, webhooks
from undersigned.api.models import WebhookDelivery

pytestmark = pytest.mark.urls("test_api_webhooks")
ROOT = Path(__file__).resolve().parent.parent

REFUSED = [
    "169.254.169.254",  # the cloud metadata service
    "10.0.0.1",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
    "127.0.0.1",  # loopback, unless a developer opted in
    "::1",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::10.0.0.1",  # IPv4-compatible
    "::169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::1",  # local-use NAT64
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "fc00::",
    "fd00::1",
    "fe80::",
    "ff02::1",
]


def resolving_to(monkeypatch, address: str) -> list:
    """Every name resolves to `address`; a connection is recorded, never made."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(family, 1, 6, "", (address, 443))])
    connections: list = []

    def connect(where, *args, **kwargs):
        connections.append(where)
        raise ConnectionRefusedError("not in tests")

    monkeypatch.setattr(socket, "create_connection", connect)
    return connections


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("address", REFUSED)
def test_a_webhook_never_reaches_a_private_address_in_any_mode(
    petition, organizer, monkeypatch, settings, address, debug
):
    settings.DEBUG = debug
    connections = resolving_to(monkeypatch, address)
    webhooks.add_webhook(petition, "https://hooks.example.org/x", ["closed"], organizer)
    webhooks.emit(petition, "closed", {})
    assert webhooks.deliver(str(only_delivery().pk)) == "failed"  # at once: never retried
    assert connections == []
    assert "private address" in only_delivery().last_error


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize(
    "address", ["169.254.169.254", "10.0.0.1", "[fe80::1]", "[::ffff:10.0.0.1]", "[64:ff9b::a00:1]"]
)
def test_an_address_written_as_a_private_ip_is_refused_when_added(
    petition, organizer, settings, address, debug
):
    settings.DEBUG = debug
    with pytest.raises(transport.Refused):
        webhooks.add_webhook(petition, f"https://{address}/hook", ["closed"], organizer)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111", "64:ff9b::808:808"])
def test_a_public_address_is_allowed(monkeypatch, address):
    resolving_to(monkeypatch, address)
    assert transport.public_address("hooks.example.org", 443) == address


def test_the_loopback_opt_in_allows_loopback_and_nothing_else(monkeypatch, settings):
    settings.DEBUG = True
    resolving_to(monkeypatch, "127.0.0.1")
    with pytest.raises(transport.Refused):
        transport.public_address("localhost", 8000)
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert transport.public_address("localhost", 8000) == "127.0.0.1"
    for address in ["10.0.0.1", "169.254.169.254", "fe80::1", "0.0.0.0", "64:ff9b::7f00:1"]:  # noqa: S104
        resolving_to(monkeypatch, address)
        with pytest.raises(transport.Refused):
            transport.public_address("localhost", 8000)


def test_every_address_a_name_resolves_to_is_checked(monkeypatch):
    infos = [
        (socket.AF_INET, 1, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, 1, 6, "", ("10.0.0.1", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: infos)
    with pytest.raises(transport.Refused):
        transport.public_address("hooks.example.org", 443)


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(
    monkeypatch, settings
):
    settings.DEBUG = True  # for plain http: no TLS in this test
    calls = []

    def rebinding(*args, **kwargs):
        calls.append(args)
        address = "93.184.215.14" if len(calls) == 1 else "10.0.0.1"
        return [(socket.AF_INET, 1, 6, "", (address, 80))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    connected = []

    def connect(where, *args, **kwargs):
        connected.append(where)
        raise ConnectionRefusedError("not in tests")

    monkeypatch.setattr(socket, "create_connection", connect)
    with pytest.raises(OSError):
        transport.post("http://hooks.example.org/x", b"{}", {})
    assert len(calls) == 1  # a second, rebinding answer is never asked for
    assert connected == [("93.184.215.14", 80)]


def test_the_webhooks_page_shows_the_outcome_not_the_remotes_answer(
    client, petition, organizer, hook_delivery
):
    client.force_login(organizer)
    page = client.get(reverse("api_pages:webhooks", args=[petition.pk])).content.decode()
    assert "Connection refused" not in page and "Errno" not in page and "418" not in page
    assert "failed" in page


@pytest.fixture
def hook_delivery(petition, organizer) -> WebhookDelivery:
    webhooks.add_webhook(petition, "https://hooks.example.org/x", ["closed"], organizer)
    webhooks.emit(petition, "closed", {})
    WebhookDelivery.objects.update(
        state="failed", last_status=418, last_error="[Errno 111] Connection refused", attempts=8
    )
    return only_delivery()


def test_the_loopback_opt_in_refuses_to_start_outside_debug():
    environment = {**os.environ, "SECRET_KEY": "x" * 40, "DEBUG": "0"}
    environment["WEBHOOK_ALLOW_LOOPBACK"] = "1"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "WEBHOOK_ALLOW_LOOPBACK" in result.stderr
