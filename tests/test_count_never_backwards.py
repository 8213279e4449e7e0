"""Concurrent renders and count sums cannot make a reader see the count go down."""

import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse

from undersigned.signatures import actions
from undersigned.signatures.models import CountShard
from undersigned.web import pagecache


def page(count: int) -> HttpResponse:
    response = HttpResponse(f'{{"count": {count}}}', content_type="application/json")
    response.public_cache = True
    return response


def test_the_first_copy_stored_in_a_period_is_the_one_every_render_shows(settings):
    settings.PAGE_CACHE_SECONDS = 60
    now = time.time()
    first = pagecache._store("k", page(11), 60, now)  # began later, finished first
    second = pagecache._store("k", page(10), 60, now)  # began earlier, finished last
    assert first["body"] == second["body"] == b'{"count": 11}'
    assert cache.get("k")["body"] == b'{"count": 11}'


def test_a_render_begun_in_an_earlier_period_is_not_kept(settings):
    settings.PAGE_CACHE_SECONDS = 2
    shown = pagecache._store("k", page(10), 2, time.time() - 2)
    assert shown["body"] == b'{"count": 10}'  # its own reader still gets an answer
    assert cache.get("k") is None
    pagecache._store("k", page(11), 2, time.time())
    assert pagecache._store("k", page(10), 2, time.time() - 2)["body"] == b'{"count": 11}'


@pytest.mark.django_db
def test_a_count_summed_before_a_confirmation_does_not_replace_a_later_one(
    settings, organizer, moderator, monkeypatch
):
    from support import make_petition

    settings.COUNT_CACHE_SECONDS = 60
    petition = make_petition(organizer, moderator)
    CountShard.objects.create(petition=petition, shard=0, count=11)
    assert actions.count_for(petition) == 11  # summed after the confirmation, kept
    CountShard.objects.filter(petition=petition).update(count=10)  # as a slow sum saw it
    cache_key = actions.count_key(petition.pk)
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a: None if key == cache_key else real_get(key))
    assert actions.count_for(petition) == 10  # that slow sum's own answer…
    monkeypatch.undo()
    assert cache.get(cache_key) == 11  # …did not replace what everyone else is shown
