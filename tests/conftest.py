"""Personas shared by the tests: an organizer, a moderator, a signer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from support import make_petition, run_queued_tasks

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.PAGE_CACHE_SECONDS = 0  # tests/test_page_cache.py turns it on
    # Argon2 costs ~0.14 s a password on purpose, and most tests make a moderator with one
    # (Django's advice for tests; tests/test_failures.py checks the real hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache

    from undersigned.regions import lookups
    from undersigned.signatures import mailing, risk
    from undersigned.web import pagecache

    cache.clear()
    # and what each process keeps in front of the shared cache
    pagecache.forget()
    risk.forget_lists()
    lookups.forget()
    risk.forget_seen()
    mailing._nudged_at = -1.0


@pytest.fixture
def page_cache(settings, monkeypatch):
    """The page cache on, with every copy kept for a whole period.

    Periods end on the wall clock (lib/periods.py): a page stored just before the end of
    one expires at once, and a render that straddles the end is not kept at all
    (tests/test_count_never_backwards.py tests that). Tests that need a copy to still be
    there take this instead of racing the clock."""
    from undersigned.web import pagecache

    settings.PAGE_CACHE_SECONDS = 2
    monkeypatch.setattr(pagecache, "aligned_timeout", lambda seconds: seconds)
    monkeypatch.setattr(pagecache, "same_period", lambda started, seconds: True)


@pytest.fixture
def run_tasks():
    return run_queued_tasks


@pytest.fixture
def moderator(db) -> User:
    return User.objects.create_user(
        "mod@example.org", "a-strong-password-1", name="Mo Derator", is_staff=True
    )


@pytest.fixture
def organizer(db) -> User:
    return User.objects.create_user("lena@example.org", name="Lena Aramyan")


@pytest.fixture
def petition(organizer, moderator) -> Petition:
    return make_petition(organizer, moderator)


@pytest.fixture
def demo(db, tmp_path, settings) -> Petition:
    """The demo `make run` sets up (run twice: it must not double anything)."""
    settings.VAR_DIR = tmp_path
    call_command("setup_demo", stdout=StringIO())
    call_command("setup_demo", stdout=StringIO())
    return Petition.objects.get()
