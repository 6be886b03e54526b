import pytest
from django.core.cache import cache

from portal.accounts.sms import OutboxSmsSender


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox():
    """allauth's rate limits count in the cache: each test starts with a clean slate."""
    cache.clear()
    OutboxSmsSender.outbox.clear()
    yield
    cache.clear()
    OutboxSmsSender.outbox.clear()


@pytest.fixture
def sms_outbox() -> list[dict[str, str]]:
    return OutboxSmsSender.outbox
