"""Daily beat jobs of the care network: overdue visits and carers' ability reviews.

Both are set-based: the number of queries does not depend on the number of children
(bench/casework_overdue.py measures it over 100,000), and both are idempotent — a notice row
with a unique key per period is written first, and only rows this run claimed are notified.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from casework import rules
from casework.models import CarerReviewNotice, CaseChild, CaseStatus, OverdueNotice, Pairing
from communities.models import Community
from communities.selectors import community_staff_by_community
from eldercare.models import AbilityAssessment
from portal.accounts.models import User
from portal.notifications.models import Notification
from portal.notifications.services import notifications_deliver_after_commit


def overdue_visits_notify(*, today: datetime.date | None = None) -> int:
    """Notify once per overdue period: the primary volunteer per child, staff per community.

    Returns the number of overdue periods notified in this run (0 on a re-run the same day).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        # 1. One INSERT … SELECT: a notice row per (child, due date) not seen before. The unique
        #    constraint casework_overduenotice_once_per_period makes a concurrent run a no-op.
        due = (
            CaseChild.objects.overdue(today)
            .order_by()
            .values(due_child=F("pk"), due_on=F("next_visit_due"))
        )
        select_sql, params = due.query.sql_with_params()
        table = OverdueNotice._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (child_id, due_date, created) "  # noqa: S608 - no user input
                f"SELECT o.due_child, o.due_on, %s FROM ({select_sql}) AS o WHERE true "
                "ON CONFLICT (child_id, due_date) DO NOTHING",
                [now, *params],
            )
        # 2. Claim every unnotified notice with a conditional UPDATE: a second worker running
        #    at the same time waits on the row locks, then finds notified_at set and skips.
        claim = uuid.uuid4()
        claimed = OverdueNotice.objects.filter(notified_at__isnull=True).update(
            claim=claim, notified_at=now
        )
        if not claimed:
            return 0
        # 3. What to say, to whom: one query with the primary volunteer's account.
        primary_volunteer = Pairing.objects.filter(
            child=OuterRef("child_id"), active=True, is_primary=True, volunteer__active=True
        ).values("volunteer__user_id")[:1]
        rows = list(
            OverdueNotice.objects.filter(claim=claim)
            .annotate(volunteer_user_id=Subquery(primary_volunteer))
            .values(
                "child_id",
                "due_date",
                "child__resident__name",
                "child__community_id",
                "volunteer_user_id",
            )
        )
        volunteer_ids = {r["volunteer_user_id"] for r in rows if r["volunteer_user_id"]}
        volunteers = {u.pk: u for u in User.objects.filter(pk__in=volunteer_ids)}
        communities = list(
            Community.objects.filter(
                pk__in={r["child__community_id"] for r in rows}
            ).select_related("region")
        )
        staff = community_staff_by_community(communities)

        notifications: list[Notification] = []
        per_community: dict[int, int] = defaultdict(int)
        home = reverse("casework:volunteer_home")
        # One translation look-up per language, not per child (the bench's 100,000).
        templates: dict[str, str] = {}
        for row in rows:
            per_community[row["child__community_id"]] += 1
            user = volunteers.get(row["volunteer_user_id"])
            if user is None:
                continue
            language = user.language or "zh-hans"
            if language not in templates:
                with translation.override(language):
                    templates[language] = gettext(
                        "A visit to %(name)s was due on %(date)s and is now overdue."
                    )
            with translation.override(language):
                due = formats.date_format(row["due_date"], "DATE_FORMAT")
            text = templates[language] % {"name": row["child__resident__name"], "date": due}
            notifications.append(
                Notification(recipient=user, kind=Notification.Kind.REMINDER, text=text, link=home)
            )
        # Staff get one summary per community and run, not one message per child.
        link = reverse("casework:child_list") + "?overdue=1"
        for community in communities:
            count = per_community[community.pk]
            for user in staff.get(community.pk, []):
                with translation.override(user.language or "zh-hans"):
                    text = ngettext(
                        "%(count)d child in %(community)s is overdue for a visit.",
                        "%(count)d children in %(community)s are overdue for a visit.",
                        count,
                    ) % {"count": count, "community": community.region.name}
                notifications.append(
                    Notification(
                        recipient=user, kind=Notification.Kind.REMINDER, text=text, link=link
                    )
                )
        created = Notification.objects.bulk_create(notifications)
        ids = [n.pk for n in created]
        notifications_deliver_after_commit(ids, recipient_ids=[n.recipient_id for n in created])
    return claimed


@shared_task
def overdue_visits_daily() -> int:
    """Beat job (daily): see overdue_visits_notify."""
    return overdue_visits_notify()


def carer_reviews_raise() -> int:
    """Flag for a risk review every active child whose carer's latest ability level is
    `rules.CARER_ABILITY_REVIEW_LEVEL` or worse, and tell the community staff, once per
    assessment.
    """
    now = timezone.now()
    latest = AbilityAssessment.objects.filter(elder__resident_id=OuterRef("carer_id")).order_by(
        "-assessed_on", "-pk"
    )
    seen = CarerReviewNotice.objects.filter(
        child_id=OuterRef("pk"), carer_id=OuterRef("carer_id"), assessed_on=OuterRef("assessed")
    )
    with transaction.atomic():
        candidates = (
            CaseChild.objects.filter(status=CaseStatus.ACTIVE, carer__isnull=False)
            .annotate(
                level=Subquery(latest.values("level")[:1]),
                assessed=Subquery(latest.values("assessed_on")[:1]),
            )
            .filter(level__gte=rules.CARER_ABILITY_REVIEW_LEVEL)
            .exclude(Exists(seen))
            .values_list("pk", "carer_id", "assessed", "level")
        )
        CarerReviewNotice.objects.bulk_create(
            [
                CarerReviewNotice(child_id=c, carer_id=r, assessed_on=a, level=lv)
                for c, r, a, lv in candidates
            ],
            ignore_conflicts=True,
        )
        claim = uuid.uuid4()
        claimed = CarerReviewNotice.objects.filter(notified_at__isnull=True).update(
            claim=claim, notified_at=now
        )
        if not claimed:
            return 0
        child_ids = CarerReviewNotice.objects.filter(claim=claim).values("child_id")
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(_("The carer's ability level is 2 or worse: review the child's risk."))
        CaseChild.objects.filter(pk__in=child_ids).update(
            risk_review_needed=True, risk_review_reason=reason
        )
        counts = dict(
            CaseChild.objects.filter(pk__in=child_ids)
            .values_list("community_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        communities = list(Community.objects.filter(pk__in=counts).select_related("region"))
        staff = community_staff_by_community(communities)
        link = reverse("casework:child_list") + "?review=1"
        notifications = []
        for community in communities:
            for user in staff.get(community.pk, []):
                with translation.override(user.language or "zh-hans"):
                    text = ngettext(
                        "%(count)d child in %(community)s needs a risk review: "
                        "their carer's ability has declined.",
                        "%(count)d children in %(community)s need a risk review: "
                        "their carer's ability has declined.",
                        counts[community.pk],
                    ) % {"count": counts[community.pk], "community": community.region.name}
                notifications.append(
                    Notification(recipient=user, kind=Notification.Kind.ALERT, text=text, link=link)
                )
        created = Notification.objects.bulk_create(notifications)
        notifications_deliver_after_commit(
            [n.pk for n in created], recipient_ids=[n.recipient_id for n in created]
        )
    return claimed


@shared_task
def carer_reviews_daily() -> int:
    """Beat job (daily): see carer_reviews_raise."""
    return carer_reviews_raise()
