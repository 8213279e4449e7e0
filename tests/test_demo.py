"""`make run`'s demo: one petition with signatures, an update, a decision maker, a paper
sheet and co-organizers, made once however often setup_demo runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from undersigned.petitions.models import Petition
from undersigned.responses import actions
from undersigned.signatures.actions import count_for, recount
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


def test_it_builds_the_demo_petition_once_with_an_exact_count(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("setup_demo", stdout=StringIO())
    call_command("setup_demo", stdout=StringIO())
    petition = Petition.objects.get()
    assert petition.state == Petition.State.OPEN
    counted = Signature.objects.filter(petition=petition).counted().count()
    assert 100 < counted < Signature.objects.filter(petition=petition).count()
    assert count_for(petition) == counted == recount(petition)
    assert petition.updates.exists()
    assert petition.targets.exclude(email="").exists()
    # so that the worker e-mails the demo's decision maker: a moderator approved it
    assert actions.targets_due().filter(petition=petition).exists()
    assert petition.organizers.exists()
