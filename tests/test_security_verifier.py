"""`undersigned verify` also holds the petition page's count to the log: a page showing a
count the log never reached fails; one a moment behind or ahead of the log passes. Its
output counts in words ("1 signature"), and logs written before entry times were cut to
the day still verify."""

from __future__ import annotations

import pytest
import test_transparency_verify as verify_tests
from django.utils import timezone
from support import make_petition
from test_transparency_log import add_signers, confirm, withdraw

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition
from undersigned.signatures.actions import add_to_count
from undersigned.signatures.models import Signature
from undersigned.transparency import actions, verifier
from undersigned.transparency.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)
site, logged, verify = verify_tests.site, verify_tests.logged, verify_tests.verify


@pytest.fixture(autouse=True)
def _quick(monkeypatch, settings):
    """No real pauses between tries, the verifier's messages in English, and the page's
    count fresh each time (the cache's few seconds are what the retries are for)."""
    monkeypatch.setattr(verifier, "pause", lambda: None)
    settings.COUNT_CACHE_SECONDS = 0
    monkeypatch.setenv("LANGUAGE", "en")


@pytest.fixture
def fresh(site):
    organizer = User.objects.create_user("org@example.org")
    return make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))


def test_a_site_whose_page_shows_a_count_the_log_never_reached_fails(capsys, logged, site):
    add_to_count(logged.pk, 0, +1)  # one more on the page, with no entry in the log
    code, out = verify(capsys, logged, site)
    assert code == 1, out
    assert "FAIL  the petition's page shows 4 signatures, but since its latest checkpoint" in out
    assert "VERDICT: FAILED — 1 problem: do not trust this count." in out


def test_a_site_whose_page_shows_the_logs_count_passes(capsys, logged, site):
    code, out = verify(capsys, logged, site)
    assert code == 0, out
    assert "ok    the petition's page shows 3 signatures, a count the log reached" in out


def test_entries_after_the_latest_checkpoint_count_towards_the_page(capsys, logged, site):
    withdraw(logged.signers[3])  # 2 now; numbered but in no checkpoint yet
    actions.sequence_entries()
    code, out = verify(capsys, logged, site)
    assert code == 0, out
    assert "the petition's page shows 2 signatures, a count the log reached" in out


def test_a_page_ahead_of_the_log_passes_once_the_site_numbers_the_entries(
    capsys, logged, site, monkeypatch
):
    late = Signature.objects.create(
        petition=logged, name="Late Signer", email="late@example.org",
        email_normalized="late@example.org", country="AM",
    )  # fmt: skip
    confirm(late)  # counted at once; numbered by the site's clock a few seconds later
    tries = []
    monkeypatch.setattr(verifier, "pause", lambda: tries.append(actions.sequence_entries()))
    code, out = verify(capsys, logged, site)
    assert code == 0, out
    assert tries == [1] and "shows 4 signatures, a count the log reached" in out


def test_a_count_with_no_log_behind_it_fails_even_before_any_checkpoint(capsys, fresh, site):
    code, out = verify(capsys, fresh, site)
    assert code == 0 and "NOTHING TO VERIFY YET" in out and "shows 0 signatures" in out
    add_to_count(fresh.pk, 0, +5)
    code, out = verify(capsys, fresh, site)
    assert code == 1 and "shows 5 signatures, but" in out


def test_a_petition_whose_page_is_not_public_has_no_count_to_compare(capsys, logged, site):
    Petition.objects.filter(pk=logged.pk).update(state=Petition.State.REJECTED)
    code, out = verify(capsys, logged, site)
    assert code == 0, out
    assert "the petition's page shows no count" in out


def test_the_verdict_says_1_signature_not_1_signatures(capsys, fresh, site):
    (signature,) = add_signers(fresh, 1)
    confirm(signature)
    actions.publish_checkpoint(fresh.pk)
    code, out = verify(capsys, fresh, site)
    assert code == 0, out
    assert "VERDICT: OK — 1 signature counted at" in out
    assert "1 checkpoint, signed by a trusted key" in out and "1 entry served" in out
    assert "between 0 pairs of checkpoints" in out and "1 signatures" not in out


def test_a_log_written_when_entries_carried_milliseconds_still_verifies(capsys, fresh, site):
    """Entries from before the times were cut to the day keep their leaves, and with them
    the roots their checkpoints signed; new entries carry the day in the same format."""
    old, new = add_signers(fresh, 2)
    confirm(old)
    precise = Entry.objects.get()
    Entry.objects.filter(pk=precise.pk).update(time_ms=1764010800123)  # as logged before
    actions.publish_checkpoint(fresh.pk)
    confirm(new, timezone.now())
    withdraw(old)
    actions.publish_checkpoint(fresh.pk)
    leaves = [e.leaf.decode() for e in Entry.objects.order_by("leaf_index")]
    assert leaves[0].startswith("v1 confirmed 1764010800123 ")
    assert all(int(leaf.split()[2]) % 86_400_000 == 0 for leaf in leaves[1:])
    code, out = verify(capsys, fresh, site)
    assert code == 0, out
    assert "2 checkpoints, each signed by a trusted key" in out
