import pytest

from undersigned.updates import demo

pytestmark = pytest.mark.django_db


def test_the_demo_posts_one_update_however_often_it_runs(petition):
    demo.populate(petition)
    demo.populate(petition)
    assert petition.updates.count() == 1
    assert petition.updates.get().email_state == ""
