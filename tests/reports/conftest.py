import pytest

from tests.dashboards.conftest import county_tree, empty_cache, refreshed, town, town_community  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
