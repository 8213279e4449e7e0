"""The WSGI module warms a process up before its first request."""

import importlib
import sys

import pytest
from django.urls import get_resolver

from undersigned.web import warmup


@pytest.mark.django_db(databases=[])
def test_warm_up_runs_without_a_database_and_finds_every_template_it_names(settings):
    settings.DEBUG = False
    warmup.warm_up()
    assert get_resolver().url_patterns
    assert "undersigned.signatures.views" in sys.modules


def test_the_wsgi_module_warms_up_when_loaded(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append(1))
    sys.modules.pop("undersigned.wsgi", None)
    importlib.import_module("undersigned.wsgi")
    assert calls == [1]
