"""The three storages in an S3 bucket, as a deployment with STORAGE_BACKEND sets them
(issue #22): delivery packs, pictures and the development outbox are written to and read
from the bucket, privately, and nothing of theirs lands on the node's own disk.

The bucket is moto's, in this process (mock_aws): no network, no credentials.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws
from PIL import Image
from support import make_petition, signed_in
from test_delivery_helpers import add_signers, client_for

from undersigned.accounts.models import User
from undersigned.delivery.models import DeliveryPack
from undersigned.lib.emails import build_message
from undersigned.lib.outbox import OutboxBackend, letters
from undersigned.lib.stores import file_stores
from undersigned.petitions.models import Petition
from undersigned.sharing import actions as sharing
from undersigned.sharing.models import Picture

BUCKET = "undersigned-files"
S3 = "storages.backends.s3.S3Storage"
OWNER_ONLY = [{"Permission": "FULL_CONTROL", "Type": "CanonicalUser"}]


@pytest.fixture
def node(tmp_path) -> Path:
    """This node's own folder; the bucket is what nodes share."""
    return tmp_path / "node"


@pytest.fixture
def bucket(settings, node, tmp_path):
    """The storages as settings.py makes them for STORAGE_BACKEND=...S3Storage, on a
    mocked bucket; the folders they would otherwise use point where the test can see
    that nothing was written."""
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.AWS_S3_REGION_NAME = "us-east-1"
        settings.AWS_ACCESS_KEY_ID = "testing"
        settings.AWS_SECRET_ACCESS_KEY = "testing"
        settings.STORAGES = {**settings.STORAGES, **file_stores(S3)}
        settings.VAR_DIR = node
        settings.MEDIA_ROOT = tmp_path / "unused" / "media"
        settings.DELIVERY_DIR = tmp_path / "unused" / "deliveries"
        settings.OUTBOX_DIR = tmp_path / "unused" / "outbox"
        yield s3
    assert not (tmp_path / "unused").exists()
    assert not [path for path in node.rglob("*") if path.is_file()]


def keys(s3, prefix: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def is_private(s3, key: str) -> bool:
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return [{"Permission": g["Permission"], "Type": g["Grantee"]["Type"]} for g in grants] == (
        OWNER_ONLY
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# Delivery packs ----------------------------------------------------------------------


def test_a_pack_the_worker_makes_is_kept_in_the_bucket_and_streamed_to_its_owner(
    bucket, settings, petition, organizer, run_tasks
):
    settings.DELIVERY_INLINE_MAX = 0  # every pack goes to the worker
    add_signers(petition, [{"name": "Anahit K", "email": "anahit@example.am"}])
    owner = client_for(organizer)
    owner.post(reverse("delivery:request_pack", args=[petition.pk]), {"target": "all"})
    assert run_tasks() == 1
    pack = DeliveryPack.objects.get()
    assert pack.state == DeliveryPack.State.READY

    stored = keys(bucket, "deliveries/")
    assert stored == sorted(f"deliveries/{pack.file_name(kind)}" for kind in ("csv", "pdf"))
    assert all(is_private(bucket, key) for key in stored)

    stranger = User.objects.create_user("someone@example.org", name="Some One")
    files = {}
    for kind, content_type in (("csv", "text/csv"), ("pdf", "application/pdf")):
        url = reverse("delivery:download_pack", args=[petition.pk, pack.pk, kind])
        response = owner.get(url)
        assert response.status_code == 200 and response.streaming
        data = files[kind] = body(response)
        assert hashlib.sha256(data).hexdigest() == pack.sha256(kind)
        assert int(response["Content-Length"]) == len(data)
        assert response["Content-Type"].startswith(content_type)
        assert response["Content-Disposition"] == (f'attachment; filename="{pack.filename(kind)}"')
        assert response["Cache-Control"] == "private, no-store"
        # Streamed by the site: no redirect to a (signed) bucket address.
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert "Location" not in response.headers
        assert BUCKET not in headers and "Amz" not in headers and "Signature" not in headers

        assert client_for(stranger).get(url).status_code == 404
        assert client_for(None).get(url).status_code == 302  # to the sign-in page
    assert "Anahit K" in files["csv"].decode("utf-8-sig")


def test_a_pack_gone_from_the_bucket_is_a_404_and_a_new_pack_removes_the_old_one(
    bucket, settings, petition, organizer
):
    owner = client_for(organizer)
    request = reverse("delivery:request_pack", args=[petition.pk])
    owner.post(request, {"target": "all"})  # small: made inline
    first = DeliveryPack.objects.get()
    bucket.delete_object(Bucket=BUCKET, Key=f"deliveries/{first.file_name('pdf')}")
    url = reverse("delivery:download_pack", args=[petition.pk, first.pk, "pdf"])
    assert owner.get(url).status_code == 404

    owner.post(request, {"target": "all"})
    second = DeliveryPack.objects.exclude(pk=first.pk).get()
    assert keys(bucket, "deliveries/") == sorted(
        f"deliveries/{second.file_name(kind)}" for kind in ("csv", "pdf")
    )


# Pictures ----------------------------------------------------------------------------


def jpeg(size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_a_picture_is_kept_in_the_bucket_served_by_the_site_and_removed_from_it(
    bucket, organizer, moderator, django_capture_on_commit_callbacks
):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    editor = signed_in(organizer)
    upload = io.BytesIO(jpeg())
    upload.name = "library.jpg"
    response = editor.post(
        f"/petitions/{draft.pk}/picture", {"image": upload, "alt": "Children reading"}
    )
    assert response.status_code == 303
    picture = Picture.objects.get()
    stored = keys(bucket, "media/")
    assert stored == sorted(f"media/{name}" for name in picture.file_names())
    assert len(stored) == 2 * len(picture.widths)
    assert all(is_private(bucket, key) for key in stored)

    width = picture.widths[0]
    served = editor.get(picture.url(width, "jpg"))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    in_bucket = bucket.get_object(Bucket=BUCKET, Key=f"media/{picture.file_name(width, 'jpg')}")
    data = body(served)
    assert data == in_bucket["Body"].read()
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.width) == ("JPEG", width)
    missing = reverse("sharing:picture_file", args=[draft.pk, f"{'x' * 16}-{width}.jpg"])
    assert editor.get(missing).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        assert sharing.remove_picture(draft) == 1
    assert keys(bucket, "media/") == []


# The development outbox --------------------------------------------------------------


def test_the_outbox_writes_its_letters_to_the_bucket_and_shows_them(bucket, settings, client):
    settings.DEBUG = True
    context = {"name": "Lena", "title": "Keep it open", "url": "http://x/1"}
    OutboxBackend().send_messages([build_message("petition_approved", "lena@example.org", context)])
    (letter,) = letters()
    assert keys(bucket, "outbox/") == [f"outbox/{letter.name}"]
    assert is_private(bucket, f"outbox/{letter.name}")
    assert "Keep it open" in client.get(reverse("outbox")).content.decode()
    page = client.get(reverse("outbox_letter", args=[letter.name]))
    assert page.status_code == 200 and "Keep it open" in page.content.decode()
