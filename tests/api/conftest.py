"""API fixtures: tokens made through the administrators' service, as the page makes them."""

import pytest

from portal.api.services import token_create


@pytest.fixture
def make_token(admin_user):
    def make(**scope: object) -> tuple[object, str]:
        scope.setdefault("access", "read")
        return token_create(organisation="省托育信息平台", by=admin_user, **scope)

    return make
