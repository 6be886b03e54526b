"""Writes about elders: records, family contacts, risk events, assessments and care plans."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare import rules
from eldercare.models import (
    AbilityAssessment,
    CarePlan,
    CareRiskEvent,
    Elder,
    FamilyContact,
    RiskAssessment,
)
from eldercare.services.common import (
    SAVED_TWICE,
    facility_staff_users,
)
from portal.accounts.models import Role, RoleAssignment, User
from portal.notifications.models import Notification
from portal.notifications.services import notification_create_many

# --- elders ---------------------------------------------------------------------------------


def elder_save(*, elder: Elder, by: User) -> Elder:
    """Create or update an elder; the form has already cleaned the fields."""
    try:
        with transaction.atomic():
            elder.full_clean()
            elder.save()
    except IntegrityError as exc:
        raise ValidationError(SAVED_TWICE) from exc
    return elder


def family_contact_add(
    *,
    elder: Elder,
    name: str,
    relation: str,
    phone: str = "",
    user: User | None = None,
    can_see_health: bool = True,
    can_see_medical: bool = False,
    can_book: bool = True,
    notify_alerts: bool = True,
    by: User,
) -> FamilyContact:
    try:
        with transaction.atomic():
            if user is not None:
                if FamilyContact.objects.filter(elder=elder, user=user).exists():
                    raise ValidationError(_("This account is already a contact of this elder."))
                RoleAssignment.objects.get_or_create(user=user, role=Role.ELDER_FAMILY)
            return FamilyContact.objects.create(
                elder=elder,
                user=user,
                name=name,
                relation=relation,
                phone=phone,
                can_see_health=can_see_health,
                can_see_medical=can_see_medical,
                can_book=can_book,
                notify_alerts=notify_alerts,
            )
    except IntegrityError as exc:
        raise ValidationError(SAVED_TWICE) from exc


def risk_event_record(
    *, elder: Elder, kind: str, occurred_on: datetime.date, note: str = "", by: User
) -> CareRiskEvent:
    with transaction.atomic():
        return CareRiskEvent.objects.create(
            elder=elder, kind=kind, occurred_on=occurred_on, note=note, recorded_by=by
        )


# --- assessments ----------------------------------------------------------------------------


def assessment_create(
    *,
    elder: Elder,
    assessed_on: datetime.date,
    scores: dict[str, int],
    notes: str = "",
    by: User,
) -> AbilityAssessment:
    """Score an ability assessment (GB/T 42195-2022) and refresh the care plan."""
    bad = rules.validate_scores(scores)
    if bad:
        raise ValidationError(
            _("Some scores are missing or out of range: %(items)s")
            % {"items": ", ".join(str(rules.ITEMS[c].label) for c in bad)}
        )
    domains = rules.domain_scores(scores)
    total = sum(domains.values())
    window_start = assessed_on - datetime.timedelta(days=rules.RAISE_EVENT_WINDOW_DAYS)
    events = CareRiskEvent.objects.filter(
        elder=elder,
        kind__in=rules.RAISE_EVENT_KINDS,
        occurred_on__gt=window_start,
        occurred_on__lte=assessed_on,
    ).count()
    diagnosis = elder.has_dementia_or_psychiatric_diagnosis
    base = rules.level_for_total(total)
    level = rules.final_level(
        total=total, has_dementia_or_psychiatric=diagnosis, risk_events_30d=events
    )
    reason = ""
    if level > base:
        reason = str(
            _("Diagnosis of dementia or psychiatric illness")
            if diagnosis
            else _("%(n)d care-risk events in 30 days") % {"n": events}
        )
    with transaction.atomic():
        assessment = AbilityAssessment.objects.create(
            elder=elder,
            assessed_on=assessed_on,
            assessor=by,
            scores={code: scores[code] for code in rules.ITEMS},
            self_care=domains["self_care"],
            motor=domains["motor"],
            mental=domains["mental"],
            perception=domains["perception"],
            total=total,
            base_level=base,
            level=level,
            raise_reason=reason,
            next_due=rules.next_due(assessed_on, level),
            notes=notes,
        )
        care_plan_refresh(elder=elder, by=by)
    return assessment


def risk_assessment_create(
    *, elder: Elder, assessed_on: datetime.date, risks: Iterable[str], notes: str = "", by: User
) -> RiskAssessment:
    """Record the admission risk assessment (GB 38600-2019) and refresh the care plan."""
    risks = set(risks)
    unknown = risks - set(rules.RISK_CODES)
    if unknown:
        raise ValidationError(_("Unknown risk: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            elder=elder,
            assessed_on=assessed_on,
            assessor=by,
            notes=notes,
            **{f"risk_{code}": code in risks for code in rules.RISK_CODES},
        )
        care_plan_refresh(elder=elder, by=by)
    return assessment


def care_plan_refresh(*, elder: Elder, by: User) -> CarePlan:
    """Replace the current care plan with one that follows from the latest level and risks."""
    with transaction.atomic():
        latest = (
            AbilityAssessment.objects.filter(elder=elder).order_by("-assessed_on", "-pk").first()
        )
        risk = RiskAssessment.objects.filter(elder=elder).order_by("-assessed_on", "-pk").first()
        level = latest.level if latest else 0
        risks = risk.risk_codes() if risk else []
        interval, measures = rules.care_plan_for(level, risks)
        CarePlan.objects.filter(elder=elder, is_current=True).update(is_current=False)
        return CarePlan.objects.create(
            elder=elder,
            level=latest.level if latest else None,
            risks=risks,
            round_interval_hours=interval,
            measures=measures,
            created_by=by,
        )


def reassessment_reminders_send(*, today: datetime.date) -> int:
    """Remind facility staff of assessments falling due; each assessment is reminded once.

    Only the latest assessment of an elder counts. The row is claimed with a conditional
    UPDATE (reminder_sent_at IS NULL), so two runs of the job never remind twice.
    """
    horizon = today + datetime.timedelta(days=rules.REASSESSMENT_REMINDER_DAYS)
    later = AbilityAssessment.objects.filter(
        elder_id=OuterRef("elder_id"), assessed_on__gt=OuterRef("assessed_on")
    )
    candidates = (
        AbilityAssessment.objects.filter(
            next_due__lte=horizon,
            reminder_sent_at__isnull=True,
            elder__status=Elder.Status.ACTIVE,
        )
        .exclude(Exists(later))
        .select_related("elder__resident")
    )
    sent = 0
    for assessment in candidates:
        with transaction.atomic():
            claimed = AbilityAssessment.objects.filter(
                pk=assessment.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            elder = assessment.elder
            notification_create_many(
                recipients=facility_staff_users(elder.facility_id),
                text=_("%(name)s is due for a new ability assessment on %(date)s."),
                params={"name": elder.display_name, "date": assessment.next_due},
                kind=Notification.Kind.REMINDER,
                link=reverse("eldercare:elder_detail", args=[elder.pk]),
            )
            sent += 1
    return sent
