"""Reads about communities that span more than one QuerySet."""

from __future__ import annotations

from communities.models import Community
from portal.accounts.models import Role, RoleAssignment, User


def ancestor_paths(path: str) -> list[str]:
    """'/a/b/c/' -> ['/a/', '/a/b/', '/a/b/c/']: the regions whose staff cover `path`."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def community_staff_by_community(communities: list[Community]) -> dict[int, list[User]]:
    """Community staff covering each community (assigned there or above), in one query."""
    paths_of = {c.pk: ancestor_paths(c.region.path) for c in communities}
    all_paths = {p for paths in paths_of.values() for p in paths}
    assignments = list(
        RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, region__path__in=all_paths)
        .select_related("user", "region")
        .order_by("pk")
    )
    result: dict[int, list[User]] = {}
    for community_id, paths in paths_of.items():
        users = {a.user_id: a.user for a in assignments if a.region.path in paths}
        result[community_id] = [u for u in users.values() if u.is_active]
    return result
