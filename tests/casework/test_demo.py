import io

import pytest

from casework import demo
from casework.models import CaseChild, OutreachEvent, Pairing
from communities import demo as communities_demo
from communities.models import Household
from portal.accounts.demo import demo_user

pytestmark = pytest.mark.django_db


def test_demo_has_the_article_figures_and_is_idempotent():
    out = io.StringIO()
    communities_demo.seed(out)
    demo.seed(out)
    demo.seed(out)
    active = CaseChild.objects.filter(status="active", is_left_behind=True)
    assert active.count() == 1260
    assert active.filter(is_in_distress=True).count() == 241
    assert active.order_by().values("community").distinct().count() == 5
    nadeng = Household.objects.filter(
        community__region__code="nadeng", is_relocated=True
    ).order_by()
    assert nadeng.values("origin_township").distinct().count() == 9
    assert nadeng.values("origin_village").distinct().count() == 24
    assert OutreachEvent.objects.count() >= 30
    assert Pairing.objects.filter(volunteer__user=demo_user("volunteer"), active=True).exists()
    assert not active.exclude(pairings__active=True, pairings__is_primary=True).exists()
