"""The child's day, live: a version per child that changes whenever one of its records does.

The parent's open page polls `children/<pk>/live/` every few seconds with If-None-Match. With
sync gunicorn workers a held-open connection (server-sent events, long polling) would pin a
worker per watching parent; a conditional poll costs one cache read and one indexed lookup and
answers 304 with no body while nothing changed, so 500 watching parents cost little more than
their requests' overhead.

The version is a token kept in the cache (Redis in production), set to a new unique value on
every commit that touches the child. If the cache loses it, the next read makes a new token:
every open page then reloads its fragment once, which is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

KEY = "childcare:live:{}"
TIMEOUT = 60 * 60 * 24 * 7


def _new_token() -> str:
    return format(time.time_ns(), "x")


def child_version(child_id: int) -> str:
    """The child's current version token (made if the cache has none)."""
    key = KEY.format(child_id)
    token = cache.get(key)
    if token is None:
        token = _new_token()
        if not cache.add(key, token, TIMEOUT):
            token = cache.get(key) or token
    return token


def children_changed(child_ids: Iterable[int]) -> None:
    """Give each child a new version once the surrounding transaction commits."""
    ids = sorted(set(child_ids))
    if not ids:
        return

    def bump() -> None:
        token = _new_token()
        cache.set_many({KEY.format(pk): token for pk in ids}, TIMEOUT)

    transaction.on_commit(bump)


def _child_record_saved(sender: type, instance: object, **kwargs: object) -> None:
    child_id = getattr(instance, "child_id", None)
    if child_id:
        children_changed([child_id])


def _photo_tags_changed(
    sender: type, instance: object, action: str, pk_set: set | None, **kwargs: object
) -> None:
    from childcare.models import Photo

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, Photo):
        ids = pk_set or set(instance.children.values_list("pk", flat=True))
        children_changed(ids)


def connect() -> None:
    """Every record that shows on the parent's page bumps the child's version."""
    from childcare import models

    for model in (
        models.Attendance,
        models.HealthCheck,
        models.MealRecord,
        models.NapRecord,
        models.GrowthRecord,
        models.ProgressNote,
        models.Message,
        models.Absence,
        models.Incident,
        models.Booking,
    ):
        post_save.connect(_child_record_saved, sender=model, dispatch_uid=f"live-{model.__name__}")
        post_delete.connect(
            _child_record_saved, sender=model, dispatch_uid=f"live-del-{model.__name__}"
        )
    m2m_changed.connect(
        _photo_tags_changed, sender=models.Photo.children.through, dispatch_uid="live-photo-tags"
    )
