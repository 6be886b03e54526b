"""Writes of the care network. Each is atomic and checks who may do it; reads go through
`visible_to` QuerySets (models.py), and every case read goes through `case_read` (access log).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import rules
from casework.models import (
    SERVICE_MINUTES_MAX,
    AccessLog,
    CaseChild,
    CaseStatus,
    Concern,
    ConcernCategory,
    OutreachEvent,
    Pairing,
    ServiceHours,
    Visit,
    Volunteer,
)
from communities.models import Community, Region, Resident
from communities.selectors import community_staff_by_community
from portal import pagecache
from portal.accounts.models import Role, User
from portal.history.services import history_context
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many


def _staff_of(child: CaseChild) -> list[User]:
    community = Community.objects.select_related("region").get(pk=child.community_id)
    return community_staff_by_community([community])[community.pk]


def _require_staff(child: CaseChild, by: User) -> None:
    if not CaseChild.objects.managed_by(by).filter(pk=child.pk).exists():
        raise PermissionDenied


def _last_visit(child: CaseChild) -> datetime.date | None:
    return child.visits.aggregate(last=Max("date"))["last"]


def _due_from(child: CaseChild, last_visit: datetime.date | None) -> datetime.date:
    since = timezone.localdate(child.approved_at or timezone.now())
    return rules.next_visit_due(risk_level=child.risk_level, last_visit=last_visit, since=since)


# --- registry ------------------------------------------------------------------------------


@transaction.atomic
def case_register(
    *,
    resident: Resident,
    is_left_behind: bool,
    parents_away: str,
    parents_work_place: str,
    is_in_distress: bool,
    distress_illness_disability: bool,
    distress_family_hardship: bool,
    distress_lack_of_guardianship: bool,
    distress_other: str,
    carer: Resident | None,
    carer_relation: str,
    school: str,
    grade: str,
    risk_level: str,
    risk_reason: str,
    plan: str,
    by: User,
) -> CaseChild:
    """Register a child; the record stays pending until a community staff member approves."""
    community = resident.household.community
    if not (
        by.is_portal_admin
        or any(community.region.path.startswith(p) for p in by.region_paths(Role.COMMUNITY_STAFF))
    ):
        raise PermissionDenied
    if carer is not None and carer.pk == resident.pk:
        raise ValidationError({"carer": _("A child cannot be their own carer.")})
    if carer is not None and carer.household_id != resident.household_id:
        raise ValidationError({"carer": _("The carer must live in the child's household.")})
    if resident.case_records.exclude(status=CaseStatus.CLOSED).exists():
        raise ValidationError({"resident": _("This child is already in the registry.")})
    child = CaseChild(
        resident=resident,
        community=community,
        is_left_behind=is_left_behind,
        parents_away=parents_away if is_left_behind else "",
        parents_work_place=parents_work_place if is_left_behind else "",
        is_in_distress=is_in_distress,
        distress_illness_disability=is_in_distress and distress_illness_disability,
        distress_family_hardship=is_in_distress and distress_family_hardship,
        distress_lack_of_guardianship=is_in_distress and distress_lack_of_guardianship,
        distress_other=distress_other if is_in_distress else "",
        carer=carer,
        carer_relation=carer_relation,
        school=school,
        grade=grade,
        risk_level=risk_level,
        risk_reason=risk_reason,
        plan=plan,
        registered_by=by,
    )
    child.full_clean(exclude=["registered_by"])
    with history_context(by=by, reason=child.risk_reason):
        child.save()
    return child


@transaction.atomic
def case_approve(*, child: CaseChild, by: User) -> CaseChild:
    """A community staff member approves a pending registration; visits fall due from today."""
    _require_staff(child, by)
    child = CaseChild.objects.select_for_update().get(pk=child.pk)
    if child.status != CaseStatus.PENDING:
        raise ValidationError(_("Only a pending registration can be approved."))
    child.status = CaseStatus.ACTIVE
    child.approved_by = by
    child.approved_at = timezone.now()
    child.next_visit_due = _due_from(child, _last_visit(child))
    child.save()
    return child


@transaction.atomic
def case_close_request(*, child: CaseChild, reason: str, by: User) -> CaseChild:
    """Ask to close a case (a paired volunteer or staff); staff approval closes it."""
    if not CaseChild.objects.visible_to(by).filter(pk=child.pk).exists():
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case should be closed.")})
    child = CaseChild.objects.select_for_update().get(pk=child.pk)
    if child.status != CaseStatus.ACTIVE:
        raise ValidationError(_("Only an active case can be closed."))
    child.close_requested_by = by
    child.closed_reason = reason.strip()
    with history_context(by=by, reason=child.closed_reason):
        child.save(update_fields=["close_requested_by", "closed_reason"])
    return child


@transaction.atomic
def case_close_approve(*, child: CaseChild, by: User) -> CaseChild:
    """Close the case; its pairings end (kept as history) and no visit falls due any more."""
    _require_staff(child, by)
    child = CaseChild.objects.select_for_update().get(pk=child.pk)
    if child.status != CaseStatus.ACTIVE or not child.closed_reason:
        raise ValidationError(_("Closing needs a request with a reason first."))
    today = timezone.localdate()
    child.status = CaseStatus.CLOSED
    child.closed_by = by
    child.closed_at = timezone.now()
    child.next_visit_due = None
    with history_context(by=by, reason=child.closed_reason):
        child.save()
        child.pairings.filter(active=True).update(
            active=False, ended_on=today, end_reason=str(_("Case closed"))
        )
    return child


@transaction.atomic
def case_set_risk(*, child: CaseChild, risk_level: str, reason: str, by: User) -> CaseChild:
    """Staff set the risk level after a review; the visit schedule follows the new level."""
    _require_staff(child, by)
    if not reason.strip():
        raise ValidationError({"risk_reason": _("Give the reason for the risk level.")})
    child = CaseChild.objects.select_for_update().get(pk=child.pk)
    child.risk_level = risk_level
    child.risk_reason = reason.strip()
    child.risk_review_needed = False
    child.risk_review_reason = ""
    if child.status == CaseStatus.ACTIVE:
        child.next_visit_due = _due_from(child, _last_visit(child))
    child.full_clean(exclude=["registered_by"])
    with history_context(by=by, reason=child.risk_reason):
        child.save()
    return child


def case_read(
    *, child: CaseChild, user: User, action: str = AccessLog.Action.VIEW, path: str = ""
) -> AccessLog:
    """Write the access-log row for a read of a case record (PIPL: minors' data is sensitive).

    Call it only after `visible_to` has allowed the read: the log says who saw what.
    """
    return AccessLog.objects.create(user=user, child=child, action=action, path=path[:200])


def case_reads_listed(*, children: list[CaseChild], user: User, path: str = "") -> None:
    """Log that `user` saw these children's names and risk levels in a list (one insert).

    A list shows part of each case record, so it is a read too: the log must answer
    "who saw this child" for list pages as well as for the record itself.
    """
    log_listed(child_ids=[child.pk for child in children], user_id=user.pk, path=path[:200])


def log_listed(*, child_ids: list[int], user_id: int, path: str) -> None:
    """The insert of case_reads_listed; a list page served again from the page cache
    (portal.pagecache) calls it again with the same ids."""
    if not child_ids:
        return
    with (
        pagecache.repeated_on_hit(
            "casework.services.log_listed", child_ids=child_ids, user_id=user_id, path=path
        ),
        connection.cursor() as cursor,
    ):
        # One statement, no model instances: every view of a list page writes these rows
        # (the ORM's bulk_create of a page of 25 cost about 1.3 ms of Python, this 0.2 ms).
        cursor.execute(
            "INSERT INTO casework_accesslog (user_id, child_id, action, path, at) "
            "SELECT %s, unnest(%s::bigint[]), %s, %s, now()",
            [user_id, child_ids, AccessLog.Action.LISTED, path],
        )


# --- pairing -------------------------------------------------------------------------------


@transaction.atomic
def pairing_create(
    *,
    child: CaseChild,
    volunteer: Volunteer,
    is_primary: bool,
    started_on: datetime.date,
    by: User,
) -> Pairing:
    """Pair a volunteer with a child. A child has at most one active primary pairing."""
    _require_staff(child, by)
    # Lock the child row: two staff pairing the same child at once are serialised here, and
    # the partial unique constraint casework_pairing_one_active_primary is the backstop.
    child = CaseChild.objects.select_for_update().get(pk=child.pk)
    if child.status != CaseStatus.ACTIVE:
        raise ValidationError(_("Only an approved, open case can be paired."))
    if not volunteer.active or volunteer.community_id != child.community_id:
        raise ValidationError({"volunteer": _("Choose an active volunteer of this community.")})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("A pairing cannot start in the future.")})
    current = child.pairings.filter(active=True)
    if is_primary and current.filter(is_primary=True).exists():
        raise ValidationError(
            _("This child already has an active primary pairing. End it before adding another.")
        )
    if current.filter(volunteer=volunteer).exists():
        raise ValidationError(_("This volunteer is already paired with this child."))
    try:
        with transaction.atomic():
            return Pairing.objects.create(
                child=child,
                volunteer=volunteer,
                is_primary=is_primary,
                started_on=started_on,
                created_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("This child already has an active primary pairing. End it before adding another.")
        ) from exc


@transaction.atomic
def pairing_end(*, pairing: Pairing, reason: str, by: User) -> Pairing:
    """End a pairing; the volunteer loses access to the child's record at once."""
    _require_staff(pairing.child, by)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if not pairing.active:
        raise ValidationError(_("This pairing has already ended."))
    # The reason box is free text but the column holds 200 characters: the field's own
    # validation turns a longer one into a message (it reached PostgreSQL as a 500 before).
    end_reason = Pairing._meta.get_field("end_reason").clean(reason.strip(), pairing)
    pairing.active = False
    pairing.ended_on = timezone.localdate()
    pairing.end_reason = end_reason
    with history_context(by=by, reason=end_reason):
        pairing.save()
    return pairing


# --- visits and concerns -------------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    child: CaseChild,
    kind: str,
    date: datetime.date,
    notes: str,
    follow_up_actions: str,
    concern_category: str = "",
    concern_description: str = "",
    suspected_abuse: bool = False,
    minutes: int | None = None,
    by: User,
) -> Visit:
    """Record a visit (and the concern found, if any); the next visit falls due from it.

    A volunteer who gives `minutes` records their service hours with it, to be confirmed.
    """
    if not CaseChild.objects.visible_to(by).filter(pk=child.pk, status=CaseStatus.ACTIVE).exists():
        raise PermissionDenied
    if date > timezone.localdate():
        raise ValidationError({"date": _("A visit cannot be dated in the future.")})
    child = CaseChild.objects.select_for_update().get(pk=child.pk)
    visit = Visit(
        child=child,
        kind=kind,
        date=date,
        visited_by=by,
        notes=notes,
        follow_up_actions=follow_up_actions,
    )
    visit.full_clean(exclude=["child", "visited_by"])
    visit.save()
    volunteer = Volunteer.objects.filter(user=by, active=True).first()
    if minutes and volunteer is not None:
        hours_record(
            volunteer=volunteer,
            minutes=minutes,
            region_id=child.community.region_id,
            date=date,
            visit=visit,
            by=by,
        )
    due = _due_from(child, _last_visit(child))
    if child.next_visit_due != due:
        child.next_visit_due = due
        child.save(update_fields=["next_visit_due"])
    if suspected_abuse and not concern_category:
        concern_category = ConcernCategory.ABUSE_NEGLECT
    if concern_category or concern_description.strip():
        concern_create(
            child=child,
            visit=visit,
            category=concern_category or ConcernCategory.OTHER,
            description=concern_description.strip() or visit.notes,
            suspected_abuse=suspected_abuse,
            by=by,
        )
    return visit


@transaction.atomic
def concern_create(
    *,
    child: CaseChild,
    visit: Visit | None,
    category: str,
    description: str,
    suspected_abuse: bool,
    by: User,
) -> Concern:
    """Record a concern. Suspected abuse or neglect is escalated to community staff at once
    and flagged for reporting to the authorities (托育机构管理规范 art. 25)."""
    if not CaseChild.objects.visible_to(by).filter(pk=child.pk).exists():
        raise PermissionDenied
    if not description.strip():
        raise ValidationError({"concern_description": _("Describe what you found.")})
    suspected_abuse = suspected_abuse or category == ConcernCategory.ABUSE_NEGLECT
    concern = Concern(
        child=child,
        visit=visit,
        category=ConcernCategory.ABUSE_NEGLECT if suspected_abuse else category,
        description=description.strip(),
        suspected_abuse=suspected_abuse,
        raised_by=by,
    )
    if suspected_abuse and rules.SUSPECTED_ABUSE_MUST_BE_REPORTED:
        concern.escalated_at = timezone.now()
        concern.must_report = True
    concern.full_clean(exclude=["child", "visit", "raised_by"])
    concern.save()
    if concern.escalated_at:
        notification_create_many(
            recipients=_staff_of(child),
            text=_(
                "URGENT: suspected abuse or neglect reported for a child in your community. "
                "Act now and report it to the authorities."
            ),
            kind=Notification.Kind.ESCALATION,
            link=reverse("casework:child_detail", args=[child.pk]),
        )
    return concern


@transaction.atomic
def concern_mark_reported(*, concern: Concern, reference: str, by: User) -> Concern:
    """Staff record that the concern was reported to the authorities (police, civil affairs)."""
    _require_staff(concern.child, by)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not concern.must_report:
        raise ValidationError(_("This concern does not need a report."))
    if concern.reported_at:
        raise ValidationError(_("This concern has already been reported."))
    if not reference.strip():
        raise ValidationError({"reference": _("Give the report's reference number.")})
    concern.reported_at = timezone.now()
    concern.reported_by = by
    concern.report_reference = reference.strip()
    concern.save()
    return concern


# --- outreach ------------------------------------------------------------------------------


@transaction.atomic
def outreach_create(
    *,
    region: Region,
    kind: str,
    title: str,
    organiser: str,
    school: str,
    date: datetime.date,
    attendance: int,
    materials: str,
    volunteers: list[Volunteer] | tuple = (),
    minutes_each: int | None = None,
    by: User,
) -> OutreachEvent:
    """Record a session; the volunteers who helped get `minutes_each`, confirmed by `by`."""
    if not (
        by.is_portal_admin
        or any(region.path.startswith(p) for p in by.region_paths(Role.COMMUNITY_STAFF))
    ):
        raise PermissionDenied
    event = OutreachEvent(
        region=region,
        kind=kind,
        title=title,
        organiser=organiser,
        school=school,
        date=date,
        attendance=attendance,
        materials=materials,
        created_by=by,
    )
    event.full_clean(exclude=["created_by", "region"])
    event.save()
    if volunteers and not minutes_each:
        raise ValidationError({"minutes_each": _("Give the minutes each volunteer gave.")})
    for volunteer in volunteers:
        hours = hours_record(
            volunteer=volunteer,
            minutes=minutes_each,
            region_id=region.pk,
            date=date,
            outreach=event,
            by=by,
        )
        hours_confirm(hours_ids=[hours.pk], by=by)
    return event


# --- volunteers' service hours ------------------------------------------------------------


def hours_record(
    *,
    volunteer: Volunteer,
    minutes: int,
    region_id: int,
    date: datetime.date,
    by: User,
    visit: Visit | None = None,
    outreach: OutreachEvent | None = None,
) -> ServiceHours:
    """Store the minutes one volunteer gave on one activity (unconfirmed)."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("Service hours cannot be dated in the future.")})
    hours = ServiceHours(
        volunteer=volunteer,
        visit=visit,
        outreach=outreach,
        region_id=region_id,
        date=date,
        minutes=minutes,
        recorded_by=by,
    )
    if not 1 <= minutes <= SERVICE_MINUTES_MAX:
        raise ValidationError(
            {"minutes": _("Give between 1 and %(max)s minutes.") % {"max": SERVICE_MINUTES_MAX}}
        )
    try:
        with transaction.atomic():
            hours.save()
    except IntegrityError:
        raise ValidationError(_("These hours are recorded already.")) from None
    return hours


def hours_confirm(*, hours_ids: list[int], by: User) -> int:
    """Confirm the given hours that `by` may confirm and that are not confirmed yet.

    Returns how many were confirmed; hours outside `by`'s regions are left alone (a forged id
    confirms nothing).
    """
    return (
        ServiceHours.objects.confirmable_by(by)
        .unconfirmed()
        .filter(pk__in=hours_ids)
        .update(confirmed_by=by, confirmed_at=timezone.now())
    )
