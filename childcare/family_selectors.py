"""Reads for the live part of the child's page and the station's threads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from childcare import selectors
from childcare.models import (
    Child,
    Incident,
    Message,
    MessageRead,
    Photo,
    Station,
)
from portal.accounts.models import User

THREAD_PREVIEW = 5


@dataclass
class LiveDay:
    child: Child
    today: selectors.DayRow
    photos: list[Photo]
    messages: list[Message]
    unread: int
    incidents: list[Incident]
    is_guardian: bool


def live_day(
    child: Child,
    user: User,
    *,
    today: selectors.DayRow | None = None,
    is_guardian: bool | None = None,
) -> LiveDay:
    """What the parent's page refreshes: today's records, photos, last messages, incidents.

    The full page passes the day row and guardianship it has already read."""
    day = today.date if today is not None else timezone.localdate()
    if today is None:
        today = selectors.child_day(child, day)
    if is_guardian is None:
        is_guardian = child.guardians.filter(user=user).exists()
    photos = list(
        Photo.objects.visible_to(user)
        .filter(children=child, taken_on=day)
        .select_related("strand")
        .order_by("-created")
    )
    thread = Message.objects.visible_to(user).filter(child=child)
    messages = list(thread.select_related("author").order_by("-created", "-pk")[:THREAD_PREVIEW])
    messages.reverse()
    incidents = list(
        Incident.objects.visible_to(user)
        .filter(child=child)
        .filter(
            Q(occurred_at__date__gte=day - datetime.timedelta(days=7)) | Q(acknowledged_at=None)
        )
        .order_by("-occurred_at")[:10]
    )
    return LiveDay(
        child=child,
        today=today,
        photos=photos,
        messages=messages,
        unread=thread.unread_by(user).count(),
        incidents=incidents,
        is_guardian=is_guardian,
    )


def station_threads(station: Station, user: User) -> list[Child]:
    """Children of the station with a thread, each with `unread` (for `user`) and `total`."""
    unread = Count(
        "messages",
        filter=Q(messages__station=station)
        & ~Q(messages__author=user)
        & ~Q(Exists(MessageRead.objects.filter(message=OuterRef("messages"), user=user))),
    )
    return list(
        Child.objects.filter(messages__station=station)
        .select_related("resident")
        .annotate(unread=unread, total=Count("messages", filter=Q(messages__station=station)))
        .order_by("-unread", "resident__name")
    )


def thread_with_receipts(child: Child, user: User) -> list[Message]:
    """The child's whole thread; each message carries `readers` (who opened it, and when)."""
    messages = list(
        Message.objects.visible_to(user)
        .filter(child=child)
        .select_related("author")
        .prefetch_related("reads__user")
    )
    return messages


@dataclass
class PortfolioMonth:
    child: Child
    month: datetime.date
    # (strand name, its photos, its notes), in the station's order; "" for neither.
    strands: list[tuple[str, list[Photo], list]]
    notes: list


def portfolio_month(child: Child, user: User, month: datetime.date) -> PortfolioMonth:
    """The child's learning portfolio for one month: the photos `user` may see, by course
    strand (in the station's order), and the month's progress notes. 2 queries."""
    from childcare.models import ProgressNote

    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    photos = (
        Photo.objects.visible_to(user)
        .filter(children=child, taken_on__gte=start, taken_on__lt=end)
        .select_related("strand")
        .order_by("strand__order", "strand__name", "taken_on", "pk")
    )
    notes = list(
        ProgressNote.objects.filter(child=child, date__gte=start, date__lt=end)
        .select_related("strand")
        .order_by("date", "pk")
    )
    # Photos and notes side by side under their strand, in the station's order.
    groups: dict[tuple, tuple[str, list[Photo], list]] = {}

    def group_of(strand: object) -> tuple[str, list[Photo], list]:
        # Strands in the station's order; what belongs to none comes last.
        key = (strand.order, strand.name) if strand else (10**6, "")
        return groups.setdefault(key, (strand.name if strand else "", [], []))

    for photo in photos:
        group_of(photo.strand)[1].append(photo)
    for note in notes:
        group_of(note.strand)[2].append(note)
    strands = [groups[key] for key in sorted(groups)]
    return PortfolioMonth(child=child, month=start, strands=strands, notes=notes)
