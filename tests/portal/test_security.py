"""Cross-cutting checks over every URL of the project (all apps, not only the foundation)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _sample(pattern) -> str | None:
    """A concrete path segment matching `pattern`, or None when it cannot be guessed."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)

        def fill(match: re.Match) -> str:
            converter = match.group(1) or "str"
            return SAMPLES.get(converter, "1")

        return re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    if isinstance(pattern, RegexPattern):
        regex = str(pattern).lstrip("^").rstrip("$")
        regex = re.sub(r"\(\?P<\w+>[^)]*\)", "x1", regex)
        if re.search(r"[()\[\]*+?\\|]", regex):
            return None
        return regex
    return None


def all_paths(patterns=None, prefix: str = "/") -> list[str]:
    paths = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        part = _sample(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            paths += all_paths(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            paths.append(prefix + part)
    return sorted(set(paths))


PATHS = all_paths()


def test_the_walk_finds_the_foundation_urls():
    assert {"/", "/preferences/language/", "/notifications/1/open/", "/accounts/login/"} <= set(
        PATHS
    )


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_post_without_a_csrf_token_is_refused(parent, signed_in):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(parent)
    accepted = []
    for path in PATHS:
        try:
            resolve(path)
        except Resolver404:
            continue
        response = client.post(path, {"x": "1"})
        # The data feed signs in by bearer token only, never by the session cookie, so a
        # forged cross-site POST carries no credentials: it answers 401 (or 405 where the
        # address takes no POST at all).
        refused = {401, 403, 405} if path.startswith("/api/v1/") else {403}
        if response.status_code not in refused:
            accepted.append(f"{path} -> {response.status_code}")
    assert not accepted, "POST accepted without CSRF token:\n" + "\n".join(accepted)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "parent", "outsider", "admin_user"])
def test_no_page_answers_500_to_a_get(persona, request):
    client = Client(raise_request_exception=False)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    broken = []
    for path in PATHS:
        if path.startswith("/accounts/logout"):
            continue
        response = client.get(path)
        if response.status_code >= 500:
            broken.append(f"{path} -> {response.status_code}")
    assert not broken, f"as {persona}:\n" + "\n".join(broken)
