"""The data feed in a browser: an administrator issues a token on the portal's own page, the
browsable documentation works under the portal's Content-Security-Policy, and the token reads
the region's figures."""

import pytest
from django.test import Client

from portal.api.models import ApiToken
from tests.e2e.browser import signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_issues_a_token_and_the_docs_render(browser, live_server, admin_user, county):
    page = signed_in_page(browser, live_server, admin_user)

    page.goto(f"{live_server.url}/api-tokens/")
    page.get_by_label("单位").fill("省托育信息平台")
    page.get_by_label("地区（仅统计数据）").select_option(label=str(county))
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("code.user-select-all").inner_text().strip()

    token = ApiToken.objects.get(organisation="省托育信息平台")
    assert token.scope.region == county
    assert secret.startswith(token.prefix)
    answer = Client().get("/api/v1/regions", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200

    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 6
