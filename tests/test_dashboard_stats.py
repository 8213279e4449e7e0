"""The dashboard's figures: only signatures that count are in the charts, countries and
milestones; held, withdrawn, invalidated and unconfirmed ones are told apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from undersigned.dashboard import stats
from undersigned.signatures.models import Signature

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def add(petition, n: int, *, at: datetime | None = NOW, country="AM", source="", **fields):
    """n signatures confirmed at `at` (None: never confirmed)."""
    start = Signature.objects.count()
    Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {start + i}", email=f"s{start + i}@signers.test",
            email_normalized=f"s{start + i}@signers.test", country=country, source=source,
            confirmed_at=at, **fields,
        )
        for i in range(n)
    )  # fmt: skip


@pytest.fixture
def figures(petition):
    def compute():
        return stats.compute_figures(petition, NOW)

    return compute


def test_it_counts_only_confirmed_live_unheld_signatures(petition, figures):
    add(petition, 5)
    add(petition, 2, at=None)  # waiting for their e-mail
    add(petition, 3, held_reason="rate")  # confirmed but held
    add(petition, 1, at=None, held_reason="blocked")  # held before confirming
    add(petition, 4, withdrawn_at=NOW)
    add(petition, 6, invalidated_at=NOW)
    result = figures()
    assert result.counted == 5
    assert result.pending == 2
    assert result.held == 4
    assert result.last_day == 5
    assert result.made == 21
    assert sum(point.count for point in result.daily) == 5
    assert sum(point.count for point in result.hourly) == 5
    assert [(row.code, row.count) for row in result.countries] == [("AM", 5)]


def test_it_says_what_share_of_signatures_made_were_confirmed(petition, figures):
    add(petition, 3)
    add(petition, 1, at=None)
    assert figures().confirmation_rate == 75
    Signature.objects.all().delete()
    assert figures().confirmation_rate is None  # nothing made yet: no rate, not 0 %


def test_it_buckets_the_last_48_hours_and_every_day(petition, figures):
    add(petition, 2, at=NOW - timedelta(minutes=10))
    add(petition, 3, at=NOW - timedelta(hours=5))
    add(petition, 7, at=NOW - timedelta(hours=30))
    add(petition, 1, at=NOW - timedelta(hours=60))  # before the hourly window
    result = figures()
    assert len(result.hourly) == 48
    assert result.hourly[-1] == stats.Point(NOW.replace(minute=0), 2)
    assert result.hourly[-6].count == 3
    assert result.hourly[-31].count == 7
    assert sum(p.count for p in result.hourly) == 12
    assert result.last_day == 5
    assert result.daily[-1].start == NOW.date()
    assert {p.start: p.count for p in result.daily if p.count} == {
        NOW.date(): 5,
        (NOW - timedelta(hours=30)).date(): 7,
        (NOW - timedelta(hours=60)).date(): 1,
    }
    assert result.busiest_day.count == 7


def test_it_lists_countries_most_first_with_their_share(petition, figures):
    add(petition, 6, country="FR")
    add(petition, 3, country="AM")
    add(petition, 1, country="BR")
    add(petition, 9, country="DE", withdrawn_at=NOW)
    rows = figures().countries
    assert [(r.code, r.count, round(r.percent)) for r in rows] == [
        ("FR", 6, 60), ("AM", 3, 30), ("BR", 1, 10),
    ]  # fmt: skip
    assert rows[0].name == "France"


def test_it_sorts_the_country_table_both_ways(petition, figures):
    add(petition, 6, country="FR")
    add(petition, 3, country="AM")
    rows = figures().countries
    by = lambda value: [r.code for r in stats.sort_countries(rows, *stats.country_order(value))]  # noqa: E731
    assert by("") == by("count") == ["FR", "AM"]
    assert by("-count") == ["AM", "FR"]
    assert by("country") == ["AM", "FR"]
    assert by("-country") == ["FR", "AM"]
    assert by("email") == ["FR", "AM"]  # unknown columns fall back to the default


def test_it_counts_referral_sources_made_and_confirmed(petition, figures):
    add(petition, 4, source="newsletter")
    add(petition, 4, source="newsletter", at=None)
    add(petition, 2)
    sources = {row.source: row for row in figures().sources}
    assert (sources["newsletter"].made, sources["newsletter"].confirmed) == (8, 4)
    assert sources["newsletter"].rate == 50
    assert (sources[""].made, sources[""].confirmed) == (2, 2)


def test_it_dates_each_milestone_from_the_signature_that_reached_it(petition, figures):
    day1, day2 = NOW - timedelta(days=2), NOW - timedelta(days=1)
    add(petition, 60, at=day1)
    add(petition, 5, at=day1, withdrawn_at=NOW)  # left: not in the count, nor the dates
    add(petition, 39, at=day2)
    add(petition, 1, at=day2 + timedelta(hours=2))  # the 100th
    add(petition, 150, at=NOW - timedelta(minutes=5))
    milestones = figures().milestones
    assert [m.goal for m in milestones] == [100, 250]
    assert milestones[0].reached_at == day2 + timedelta(hours=2)
    assert milestones[1].reached_at == NOW - timedelta(minutes=5)
    assert milestones[0].is_organizer_goal  # make_petition's goal is 100


def test_it_marks_the_organizers_own_goal_among_the_rungs(petition, figures):
    petition.goal = 120
    add(petition, 130)
    milestones = figures().milestones
    assert [(m.goal, m.is_organizer_goal) for m in milestones] == [(100, False), (120, True)]


def test_it_keeps_the_figures_for_a_short_while(petition, settings, django_assert_num_queries):
    settings.DASHBOARD_CACHE_SECONDS = 60
    add(petition, 3)
    first = stats.figures_for(petition)
    add(petition, 3)
    with django_assert_num_queries(0):
        assert stats.figures_for(petition).counted == first.counted == 3


def test_the_page_shows_the_figures_and_no_address(client, organizer, petition):
    add(petition, 120, source="newsletter")
    add(petition, 2, at=None)
    client.force_login(organizer)
    overview, signatures = (
        client.get(reverse(f"dashboard:{name}", args=[petition.pk])).content.decode()
        for name in ("petition", "signatures")
    )
    assert "newsletter" in signatures and "Armenia" in signatures
    assert "Milestones reached" in overview and "100 signatures" in overview
    for page in (overview, signatures):
        assert "signers.test" not in page  # signers' addresses never reach the dashboard


def test_the_sign_form_carries_the_source_or_else_utm_source(client, petition):
    url = petition.get_absolute_url()
    field = '<input type="hidden" name="source" value="{}">'
    assert field.format("whatsapp") in client.get(url, {"source": "whatsapp"}).content.decode()
    assert field.format("mastodon") in client.get(url, {"utm_source": "mastodon"}).content.decode()
    both = client.get(url, {"source": "x", "utm_source": "mastodon"}).content.decode()
    assert field.format("x") in both


def test_while_one_request_refreshes_stale_figures_the_others_show_the_old_ones(petition, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    add(petition, 3)
    stats.figures_for(petition, NOW)
    add(petition, 2)
    later = NOW + timedelta(seconds=61)
    from django.core.cache import cache

    cache.add(f"{stats.cache_key(petition.pk)}:lock", 1, 60)  # someone else is at it
    assert stats.figures_for(petition, later).counted == 3
    cache.delete(f"{stats.cache_key(petition.pk)}:lock")
    assert stats.figures_for(petition, later).counted == 5


def test_it_lists_the_busiest_sources_and_sums_up_the_rest(petition, figures):
    for i in range(stats.SOURCES + 3):
        add(petition, 1, source=f"s{i}")
    result = figures()
    assert len(result.sources) == stats.SOURCES and result.more_sources == 3
    assert result.made == stats.SOURCES + 3  # the totals still count every source


def test_days_are_the_sites_days_in_its_own_time_zone(petition, figures):
    from django.utils import timezone

    add(petition, 2, at=NOW)  # 15:30 UTC is 04:30 the next morning in Auckland
    with timezone.override("Pacific/Auckland"):
        result = figures()
    assert [p.start for p in result.daily if p.count] == [(NOW + timedelta(days=1)).date()]
    assert [p.start for p in figures().daily if p.count] == [NOW.date()]


def test_a_dashboard_with_fresh_figures_runs_no_group_by(
    client, organizer, petition, settings, django_assert_max_num_queries
):
    settings.DASHBOARD_CACHE_SECONDS = 60
    add(petition, 120, country="FR")
    client.force_login(organizer)
    for name in ("petition", "signatures"):  # the two sections drawn from the figures
        url = reverse(f"dashboard:{name}", args=[petition.pk])
        client.get(url)
        with django_assert_max_num_queries(25) as queries:
            assert client.get(url).status_code == 200
        over_signatures = [
            q["sql"] for q in queries.captured_queries
            if "GROUP BY" in q["sql"] and "signatures_signature" in q["sql"]
        ]  # fmt: skip
        assert not over_signatures, name
