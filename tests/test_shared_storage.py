"""Nothing a node needs is on another node's disk: packs, the outbox and the log's key.

A "node" here is a VAR_DIR of its own; what the nodes share is the storage folder (as a
cluster on one machine shares a directory, or every node one bucket).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from test_delivery_helpers import add_signers, client_for

from undersigned.delivery import actions
from undersigned.delivery.models import DeliveryPack
from undersigned.lib import checks
from undersigned.lib.emails import build_message
from undersigned.lib.outbox import OutboxBackend, letters
from undersigned.transparency import keys

ROOT = Path(__file__).resolve().parent.parent
KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def nodes(settings, tmp_path):
    """Two nodes' own folders and the storage they share; node A is the current one."""
    shared = tmp_path / "shared"
    settings.DELIVERY_DIR = shared / "deliveries"
    settings.OUTBOX_DIR = shared / "outbox"
    a, b = tmp_path / "node-a", tmp_path / "node-b"
    a.mkdir(), b.mkdir()
    settings.VAR_DIR = a
    return a, b


def become(settings, var_dir: Path, previous: Path) -> None:
    """Switch to the other node, and take the first one's disk away altogether."""
    settings.VAR_DIR = var_dir
    shutil.rmtree(previous)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_pack_made_on_one_node_downloads_from_another(settings, nodes, petition, organizer):
    a, b = nodes
    add_signers(petition, [{"name": "Anahit K", "email": "anahit@example.am"}])
    actions.request_pack(petition, None, organizer)  # small: made now, on node A
    pack = DeliveryPack.objects.get()
    assert pack.state == DeliveryPack.State.READY
    assert not list((a / "scratch").iterdir())  # node A kept no copy of its own

    become(settings, b, a)
    client = client_for(organizer)
    files = {}
    for kind in ("csv", "pdf"):
        url = reverse("delivery:download_pack", args=[petition.pk, pack.pk, kind])
        response = client.get(url)
        assert response.status_code == 200, kind
        files[kind] = body(response)
        assert int(response["Content-Length"]) == len(files[kind])
    assert hashlib.sha256(files["csv"]).hexdigest() == pack.csv_sha256
    assert hashlib.sha256(files["pdf"]).hexdigest() == pack.pdf_sha256
    assert "Anahit K" in files["csv"].decode("utf-8-sig")


def test_pack_files_are_private_to_the_sites_user(settings, nodes, petition, organizer):
    actions.request_pack(petition, None, organizer)
    pack = DeliveryPack.objects.get()
    assert pack.path("csv").stat().st_mode & 0o077 == 0
    assert pack.path("csv").parent.stat().st_mode & 0o077 == 0


def test_a_pack_whose_files_are_gone_is_a_404_not_a_500(settings, nodes, petition, organizer):
    actions.request_pack(petition, None, organizer)
    pack = DeliveryPack.objects.get()
    pack.path("pdf").unlink()
    url = reverse("delivery:download_pack", args=[petition.pk, pack.pk, "pdf"])
    assert client_for(organizer).get(url).status_code == 404


def test_replaced_and_old_packs_leave_no_files_in_the_storage(settings, nodes, petition, organizer):
    actions.request_pack(petition, None, organizer)
    first = DeliveryPack.objects.get()
    actions.request_pack(petition, None, organizer)
    assert not first.path("pdf").exists() and not first.path("csv").exists()
    settings.DELIVERY_KEEP_DAYS = 1
    assert actions.forget_old_packs(timezone.now() + timedelta(days=2)) == 1
    assert not list(Path(settings.DELIVERY_DIR).rglob("*.*"))


def test_a_letter_written_on_one_node_opens_on_another(settings, nodes, client, db):
    a, b = nodes
    context = {"name": "Lena", "title": "Keep it open", "url": "http://x/1"}
    OutboxBackend().send_messages([build_message("petition_approved", "lena@example.org", context)])
    become(settings, b, a)
    settings.DEBUG = True
    (letter,) = letters()
    assert "Keep it open" in client.get(reverse("outbox")).content.decode()
    page = client.get(reverse("outbox_letter", args=[letter.name]))
    assert page.status_code == 200 and "Keep it open" in page.content.decode()


def test_an_empty_letter_file_being_written_is_not_listed(settings, nodes):
    folder = Path(settings.OUTBOX_DIR)
    folder.mkdir(parents=True)
    (folder / f"20261207T080000.000000Z-{'0' * 32}.eml").write_bytes(b"")
    assert letters() == []


def test_every_node_signs_with_the_key_from_the_environment(settings, nodes):
    a, b = nodes
    settings.TRANSPARENCY_KEY = KEY
    settings.CLUSTER_NODES = 2
    first = str(keys.current_verifier_key())
    become(settings, b, a)
    assert str(keys.current_verifier_key()) == first
    assert not (b / keys.KEY_FILE).exists()


def test_several_nodes_without_a_key_refuse_to_make_one_each(settings, nodes):
    a, _b = nodes
    settings.TRANSPARENCY_KEY = ""
    settings.CLUSTER_NODES = 2
    with pytest.raises(ImproperlyConfigured, match="TRANSPARENCY_KEY"):
        keys.private_key()
    assert not (a / keys.KEY_FILE).exists()
    settings.CLUSTER_NODES = 1  # one machine: a key in VAR_DIR, as before
    keys.private_key()
    assert (a / keys.KEY_FILE).exists()


def test_the_check_names_what_several_nodes_need(settings):
    settings.CLUSTER_NODES, settings.DEBUG = 2, False
    settings.REDIS_URL, settings.TRANSPARENCY_KEY = "", ""
    assert {problem.id for problem in checks.check_cluster()} == {
        "undersigned.W001",
        "undersigned.E001",
    }
    settings.REDIS_URL, settings.TRANSPARENCY_KEY = "redis://127.0.0.1:6379/0", KEY
    assert checks.check_cluster() == []
    settings.CLUSTER_NODES, settings.REDIS_URL = 1, ""
    assert checks.check_cluster() == []  # one machine: nothing to say


def settings_in(environment: dict, expression: str) -> str:
    """The repr of `expression` (a tuple) on the settings of a process with this
    environment."""
    result = subprocess.run(  # noqa: S603 - our own expressions, below
        [sys.executable, "-c", f"from django.conf import settings; print(repr(({expression})))"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "undersigned.settings", **environment},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_one_storage_dir_holds_pictures_packs_and_the_outbox(tmp_path):
    shared = tmp_path / "shared"
    folders = settings_in(
        {"STORAGE_DIR": str(shared), "VAR_DIR": str(tmp_path / "own"), "EMAIL_URL": ""},
        "settings.MEDIA_ROOT, settings.DELIVERY_DIR, settings.OUTBOX_DIR, settings.VAR_DIR",
    )
    expected = (shared / "media", shared / "deliveries", shared / "outbox", tmp_path / "own")
    assert folders == repr(tuple(expected))


def test_a_storage_backend_takes_all_three_stores_into_one_bucket(tmp_path):
    stores = settings_in(
        {
            "VAR_DIR": str(tmp_path),
            "STORAGE_BACKEND": "storages.backends.s3.S3Storage",
            "AWS_STORAGE_BUCKET_NAME": "undersigned-files",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        },
        "[(a, s['BACKEND'], s['OPTIONS']['location'], s['OPTIONS']['default_acl'])"
        " for a, s in settings.STORAGES.items() if a != 'staticfiles'],"
        " settings.AWS_STORAGE_BUCKET_NAME",
    )
    backend = "storages.backends.s3.S3Storage"
    assert stores == repr(
        (
            [
                ("default", backend, "media", "private"),
                ("deliveries", backend, "deliveries", "private"),
                ("outbox", backend, "outbox", "private"),
            ],
            "undersigned-files",
        )
    )
