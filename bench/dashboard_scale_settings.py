"""Settings for bench/dashboard_scale.py's second server: the dashboard without its page cache,
so the bench also shows the cost of building a page from the rollup on every request."""

from portal.settings.local import *  # noqa: F403

DASHBOARD_PAGE_CACHE_SECONDS = 0
