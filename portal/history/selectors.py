"""Reading a record's change history for its page: who changed what, from what, to what."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from communities.models import mask_id_number
from portal.accounts.models import User

# Shown masked on every page, in the history too.
MASKED_FIELDS = {"id_number"}
# Set by the database or the services' bookkeeping: never what a person changed.
SKIPPED_FIELDS = {"id", "created", "updated", "modified"}
# The newest entries of one page; older changes remain in the database.
LIMIT = 100


@dataclass
class FieldChange:
    label: str
    old: str | None  # None: the earlier value was not recorded (the row predates the history)
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    record: str
    created: bool
    by: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED_FIELDS and not getattr(f, "auto_now", False)
    ]


class _Display:
    """Values as the record's page shows them: choice labels, related records' names, masks."""

    def __init__(self) -> None:
        self._related: dict[tuple[type[models.Model], Any], str] = {}

    def __call__(self, model_field: models.Field, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if model_field.name in MASKED_FIELDS:
            return mask_id_number(str(value))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if model_field.is_relation and model_field.related_model is not None:
            key = (model_field.related_model, value)
            if key not in self._related:
                obj = model_field.related_model._base_manager.filter(pk=value).first()
                self._related[key] = str(obj) if obj is not None else f"#{value}"
            return self._related[key]
        if isinstance(value, datetime.datetime):
            return formats.localize(timezone.localtime(value))
        if isinstance(value, datetime.date):
            return formats.localize(value)
        return str(value)


def history_of(objects: Iterable[models.Model]) -> list[HistoryEntry]:
    """The change history of `objects` (a record and, e.g., its pairings and visits), newest
    first. The caller has already checked that the user may see every one of them."""
    display = _Display()
    raw: list[tuple[Any, models.Model, list[FieldChange], bool]] = []
    by_model: dict[type[models.Model], list[Any]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj.pk)
    for model, pks in by_model.items():
        events = getattr(model, "history_events", None)
        if events is None:
            continue
        event_model = events.rel.related_model
        fields = _tracked_fields(model)
        rows = (
            event_model.objects.filter(pgh_obj_id__in=pks)
            .select_related("pgh_context")
            .order_by("pgh_obj_id", "pgh_id")
        )
        previous: dict[Any, models.Model] = {}
        for event in rows:
            before = previous.get(event.pgh_obj_id)
            created = event.pgh_label == "insert"
            changes = []
            for f in fields:
                new = getattr(event, f.attname)
                if before is None:
                    if created:
                        if new in (None, ""):
                            continue
                        changes.append(FieldChange(str(f.verbose_name), "", display(f, new)))
                    continue
                old = getattr(before, f.attname)
                if old != new:
                    changes.append(
                        FieldChange(str(f.verbose_name), display(f, old), display(f, new))
                    )
            if before is None and not created:
                # The row existed before its history began: its first recorded change shows
                # the values it was given, the earlier ones are unknown.
                changes = [
                    FieldChange(str(f.verbose_name), None, display(f, getattr(event, f.attname)))
                    for f in fields
                ]
            previous[event.pgh_obj_id] = event
            if changes or created:
                raw.append((event, model, changes, created))
    raw.sort(key=lambda item: (item[0].pgh_created_at, item[0].pgh_id), reverse=True)
    raw = raw[:LIMIT]
    user_ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event, *_rest in raw
        if event.pgh_context_id is not None
    }
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    entries = []
    for event, model, changes, created in raw:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context_id else {}
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                record=str(model._meta.verbose_name),
                created=created,
                by=names.get(metadata.get("user"), ""),
                reason=str(metadata.get("reason", "")),
                changes=changes,
            )
        )
    return entries
