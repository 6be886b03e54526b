"""Local development: everything from base, defaults suitable for `make run`."""

from portal.settings.base import *  # noqa: F403
