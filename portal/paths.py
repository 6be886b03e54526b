"""Paths of named URLs, each reversed once per process.

Reversing a name costs about 35 µs in Django's resolver; the booking, the portal's busiest
write, reverses two on every request (the child's page its notification links to, the parent's
page it redirects to). path_to keeps what it reversed, keyed by everything a reversal depends
on: the URLconf's resolver (a test's override_settings(ROOT_URLCONF=...) or a request's own
urlconf gets its own), the script prefix the site is served under and the active language.
"""

from __future__ import annotations

import functools

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.urls.resolvers import URLResolver
from django.utils.translation import get_language


def path_to(viewname: str, *args: object) -> str:
    """reverse(viewname, args=args), from this process's memory after the first time."""
    return _reversed(
        get_resolver(get_urlconf()), get_script_prefix(), get_language(), viewname, args
    )


@functools.lru_cache(maxsize=4096)
def _reversed(
    resolver: URLResolver, prefix: str, language: str | None, viewname: str, args: tuple
) -> str:
    return reverse(viewname, args=args)
