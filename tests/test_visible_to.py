"""Every `visible_to(user)` answers an anonymous user with nothing (and never fails)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

SCOPED = sorted(
    (m for m in apps.get_models() if hasattr(m.objects, "visible_to")),
    key=lambda m: m._meta.label,
)


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_visible_to_an_anonymous_user_is_empty(model):
    queryset = model.objects.visible_to(AnonymousUser())
    assert queryset.query.is_empty() or not queryset.exists()
