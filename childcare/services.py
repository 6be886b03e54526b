"""Writes for childcare. Each service is atomic and raises ValidationError with a translated
message when the rules refuse; nothing is saved in that case."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare import rules
from childcare.models import (
    ACTIVE_ENROLMENT,
    Attendance,
    Booking,
    CareClass,
    Child,
    ChildAccessLog,
    CourseStrand,
    Enrolment,
    EnrolmentEvent,
    GrowthRecord,
    Guardian,
    HealthCheck,
    MealRecord,
    NapRecord,
    ProgressNote,
    Session,
    SessionLabel,
    Station,
    TimetableSlot,
    local_moment,
)
from childcare.start_services import (
    consent_needed,
    require_consent,
    require_household_not_refused,
    require_verified_household,
    require_verified_status,
)
from portal import pagecache
from portal.accounts.models import User
from portal.months import months_between
from portal.notifications.models import Notification
from portal.notifications.services import (
    notification_create,
    notifications_written,
    render_each_in,
)
from portal.paths import path_to


def _notify_guardians(
    child: Child, text: object, kind: str, link: str = "", params: dict | None = None
) -> None:
    """Tell every guardian with an account, each in their own language."""
    for guardian in child.guardians.filter(user__isnull=False).select_related("user"):
        notification_create(recipient=guardian.user, text=text, params=params, kind=kind, link=link)


def _is_guardian(child: Child, user: User) -> bool:
    return child.guardians.filter(user=user).exists()


# --- children --------------------------------------------------------------------------------


@transaction.atomic
def guardian_add(*, child: Child, name: str, relation: str, phone: str = "", by: User) -> Guardian:
    """A guardian lists another person who may collect the child."""
    if not _is_guardian(child, by):
        raise ValidationError(_("Only the child's guardians can list who may collect the child."))
    return Guardian.objects.create(
        child=child, name=name, relation=relation, phone=phone, may_collect=True
    )


# --- booking ---------------------------------------------------------------------------------


# A booking is one call of the database function childcare_book
# (childcare/migrations/0012_book_in_one_call, which says what it does and what each column
# is): it reads the facts the rules decide on, books only when the rules hold, and otherwise
# returns those facts so that _explain_refusal can say, in the parent's language, which rule
# refused. In SQL because booking is the portal's busiest write (a town books the week's
# sessions the hour they open): the same checks as nine ORM queries cost about 8 ms of Python
# per booking, and reading the facts in a round trip of their own cost another.


class _Outcome(NamedTuple):
    """A row of childcare_book, column by column: the booking (None when nothing was
    written), then the facts it decided on (the child's columns None if there is no such
    child)."""

    booking_id: int | None
    status: str | None
    day: datetime.date
    starts_at: datetime.time
    kind: str
    station_name: str
    age_min: int
    age_max: int
    child: str | None  # the child's name, as messages name the child
    born: datetime.date | None
    household: str | None
    refusal: str | None
    is_guardian: bool
    consented: bool
    guardian_ids: list[int]  # each guardian with an account, told of the outcome


class _Texts(NamedTuple):
    """A session's notification texts for both outcomes in every language of the portal
    (settings.LANGUAGES, the default first), with _CHILD_MARK where the child's name goes,
    and the session's name they were rendered with: childcare_book books only while the
    session is still named so. The languages and texts are each one string, their items
    apart by _ITEM_MARK (the call splits them into the function's text arrays): psycopg
    writes three strings in a sixth of the time it takes for three lists."""

    label: SessionLabel
    languages: str
    confirmed: str
    waitlisted: str


# Stands for the child's name in _Texts; childcare_book puts the name in its place. A control
# character, which no station's or session's name holds; so is the mark between items
# (_texts_for takes it out of a name that does).
_CHILD_MARK = "\x1a"
_ITEM_MARK = "\x1e"  # chr(30) in _BOOK_SQL
_BOOKING_TEXTS = (
    _("Booking confirmed: %(child)s, %(session)s."),
    _("The session is full: %(child)s is on the waiting list for %(session)s."),
)
# Each process keeps the texts of the sessions it booked lately: one rendering per session
# and language instead of one per booking.
_texts_of_session: dict[int, _Texts] = {}
_TEXTS_KEPT = 2000


def _texts_for(session_id: int, facts: _Outcome) -> _Texts:
    label = SessionLabel(facts.station_name, facts.day, facts.starts_at, facts.kind)
    languages = [settings.LANGUAGE_CODE] + [
        code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]
    params = {"child": _CHILD_MARK, "session": label}
    rendered = [render_each_in(language, _BOOKING_TEXTS, params) for language in languages]
    # (A name typed with the mark in it, which no form refuses, must not split a text.)
    rendered = [[text.replace(_ITEM_MARK, " ") for text in pair] for pair in rendered]
    texts = _Texts(
        label,
        _ITEM_MARK.join(languages),
        _ITEM_MARK.join(confirmed for confirmed, _waitlisted in rendered),
        _ITEM_MARK.join(waitlisted for _confirmed, waitlisted in rendered),
    )
    if len(_texts_of_session) >= _TEXTS_KEPT:
        _texts_of_session.clear()
    _texts_of_session[session_id] = texts
    return texts


# Sent with its parameters apart (connection.server_bound_cursor): the types are spelled out,
# as PostgreSQL no longer reads them from literals.
_BOOK_SQL = (
    "SELECT * FROM childcare_book(%s::bigint, %s::bigint, %s::bigint, %s::timestamptz, "
    "%s::text, %s::text, %s::date, %s::time, %s::text, string_to_array(%s::text, chr(30)), "
    "string_to_array(%s::text, chr(30)), string_to_array(%s::text, chr(30)), "
    "%s::text, %s::text, %s::text)"
)


def _book(
    session_id: int, child_id: int, by: User, texts: _Texts | None, now: datetime.datetime
) -> _Outcome | None:
    """One call of childcare_book; None when there is no such public session."""
    label = texts.label if texts else SessionLabel(None, None, None, None)
    # Inside a caller's transaction a savepoint keeps it usable after a refused insert; on
    # its own the call is one statement, committed as it returns.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, connection.server_bound_cursor() as cursor:
        cursor.execute(
            _BOOK_SQL,
            [
                session_id,
                child_id,
                by.pk,
                now,
                settings.TIME_ZONE,
                *label,
                texts.languages if texts else None,
                texts.confirmed if texts else None,
                texts.waitlisted if texts else None,
                _CHILD_MARK,
                Notification.Kind.BOOKING,
                path_to("childcare:child_detail", child_id),
            ],
        )
        row = cursor.fetchone()
    return _Outcome(*row) if row else None


def _explain_refusal(facts: _Outcome, now: datetime.datetime) -> None:
    """Raise the message for the booking rule the facts break, checked in the order a parent
    would want to hear them; return if they break none (childcare_book checks the same)."""
    child = facts.child
    if not facts.is_guardian:
        raise ValidationError(_("You can only book for your own children."))
    if not facts.consented:
        raise consent_needed(child)
    require_verified_status(child, facts.household, facts.refusal)
    if local_moment(facts.day, facts.starts_at) <= now:
        raise ValidationError(_("This session has already started; it can no longer be booked."))
    if not facts.age_min <= months_between(facts.born, facts.day) < facts.age_max:
        raise ValidationError(_("This station does not take children of this age."))


def _refused_by_database(
    exc: IntegrityError, session_id: int, child_id: int, by: User
) -> ValidationError:
    """The message for a booking the insert refused: the child already holds a live booking
    of this session (unique index) or of another at an overlapping time (exclusion
    constraint). The child and the booking in the way are looked up now, only for the
    message, as `by` (a guardian: the function checked that before inserting) may see them."""
    if _constraint_of(exc) not in (
        "childcare_booking_one_live_per_child",
        "childcare_booking_no_overlap_per_child",
    ):
        raise exc
    child = str(Child.objects.visible_to(by).select_related("resident").get(pk=child_id))
    this = Session.objects.select_related("station").get(pk=session_id)
    clashes = list(
        Booking.objects.visible_to(by)
        .filter(child_id=child_id, period__overlap=(this.starts(), this.ends()))
        .active()
        .select_related("session__station")
        .order_by("pk")
    )
    if any(b.session_id == session_id for b in clashes):
        return ValidationError(
            _("%(child)s is already booked for this session.") % {"child": child}
        )
    # No booking left in the way (cancelled since the insert was refused): this session named.
    other = clashes[0].session if clashes else this
    return ValidationError(
        _(
            "%(child)s is already booked at that time (%(session)s). A child can only be in "
            "one session at a time: cancel that booking first or choose another time."
        )
        % {"child": child, "session": other}
    )


def booking_create(*, session_id: int, child_id: int, by: User) -> Booking:
    """Book session `session_id` for child `child_id`: confirmed while places remain,
    otherwise waitlisted. Raises Session.DoesNotExist for a session not in the public
    finder.

    It takes ids, not the Session and Child, because it reads everything it decides on
    itself: one call of the database function childcare_book (childcare/migrations/
    0012_book_in_one_call) reads the facts (guardian, consent, household, start, age, the
    guardians to tell), and when the rules hold it locks the session row (SELECT ... FOR
    UPDATE), which closes the race where two parents both read "1 place left" and both
    confirm; moves the counter while places remain; inserts the booking, confirmed exactly
    when it did; and inserts each guardian's notification for that outcome, in their
    language, delivered after commit. The lock is held only while PostgreSQL runs the
    function, not across round trips from Python. When a rule refuses, nothing is written
    and _explain_refusal says which. The texts are rendered once per session and process
    (_texts_for): the first booking of a session in a process, or one after the session was
    renamed or moved, calls twice. The database refuses a second live booking of the child
    for this session (unique index) or one at an overlapping time (exclusion constraint): the
    whole statement is undone, counter included, and the parent is told which booking is in
    the way. The CheckConstraint `booked <= capacity` is the backstop should any code path
    skip the lock.
    """
    now = timezone.now()
    texts = _texts_of_session.get(session_id)
    outcome = None
    try:
        for _attempt in range(2):
            outcome = _book(session_id, child_id, by, texts, now)
            if outcome is None:
                raise Session.DoesNotExist(f"No public session {session_id}")
            if outcome.booking_id is not None:
                break
            _explain_refusal(outcome, now)
            # No rule refused: the texts were missing, or name the session as it was.
            texts = _texts_for(session_id, outcome)
    except IntegrityError as exc:
        raise _refused_by_database(exc, session_id, child_id, by) from exc
    if outcome.booking_id is None:  # the session changed again between the two calls
        raise ValidationError(_("The session changed while you were booking it. Please try again."))
    pagecache.wrote("childcare_session", "childcare_booking", "notifications_notification")
    notifications_written(recipient_ids=outcome.guardian_ids)
    return Booking(
        pk=outcome.booking_id,
        session_id=session_id,
        child_id=child_id,
        status=outcome.status,
        booked_by_id=by.pk,
        created=now,
    )


def _constraint_of(exc: IntegrityError) -> str:
    """The name of the database constraint an IntegrityError reports ("" if none)."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User) -> Booking:
    """Cancel up to the station's cut-off; a freed place goes to the first on the waiting list,
    who is notified. The session row lock makes cancel-and-promote one step, so a concurrent
    booking cannot take the freed place ahead of the waiting list."""
    session = (
        Session.objects.select_for_update().select_related("station").get(pk=booking.session_id)
    )
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    staff = Station.objects.operated_by(by).filter(pk=session.station_id).exists()
    if not staff and not _is_guardian(booking.child, by):
        raise ValidationError(_("You cannot cancel this booking."))
    if booking.status == Booking.Status.CANCELLED:
        raise ValidationError(_("This booking is already cancelled."))
    cutoff = session.starts() - datetime.timedelta(hours=session.station.cancel_cutoff_hours)
    if not staff and timezone.now() > cutoff:
        raise ValidationError(
            _("Bookings can be cancelled up to %(hours)s hours before the start.")
            % {"hours": session.station.cancel_cutoff_hours}
        )
    was_confirmed = booking.status == Booking.Status.CONFIRMED
    queue_before = _waitlist_ids(session)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    _notify_guardians(
        booking.child,
        _("Booking cancelled: %(child)s, %(session)s."),
        Notification.Kind.BOOKING,
        booking.child.get_absolute_url(),
        params={"child": booking.child, "session": session},
    )
    if was_confirmed:
        session.booked -= 1
        first = (
            Booking.objects.select_for_update()
            .filter(session=session, status=Booking.Status.WAITLISTED)
            .order_by("created", "pk")
            .select_related("child__resident")
            .first()
        )
        if first is not None:
            first.status = Booking.Status.CONFIRMED
            first.save(update_fields=["status"])
            session.booked += 1
            _notify_guardians(
                first.child,
                _("A place came free: %(child)s is now booked for %(session)s."),
                Notification.Kind.BOOKING,
                first.child.get_absolute_url(),
                params={"child": first.child, "session": session},
            )
        session.save(update_fields=["booked"])
    _notify_waitlist_moves(session, queue_before)
    return booking


def _waitlist_ids(session: Session) -> list[int]:
    """The session's waiting list, first to be promoted first (call under the session lock)."""
    return list(
        Booking.objects.filter(session=session, status=Booking.Status.WAITLISTED)
        .order_by("created", "pk")
        .values_list("pk", flat=True)
    )


def _notify_waitlist_moves(session: Session, before: list[int]) -> None:
    """Everyone still waiting whose place in the queue changed is told their new number."""
    after = _waitlist_ids(session)
    moved = [
        (pk, position)
        for position, pk in enumerate(after, start=1)
        if pk in before and before.index(pk) + 1 != position
    ]
    if not moved:
        return
    bookings = Booking.objects.select_related("child__resident").in_bulk([pk for pk, _ in moved])
    for pk, position in moved:
        child = bookings[pk].child
        _notify_guardians(
            child,
            _("%(child)s is now number %(position)s on the waiting list for %(session)s."),
            Notification.Kind.BOOKING,
            child.get_absolute_url(),
            params={"child": child, "position": position, "session": session},
        )


# --- enrolment -------------------------------------------------------------------------------


def _check_age_for_station(child: Child, station: Station, on: datetime.date) -> None:
    months = child.age_in_months_on(on)
    if months >= rules.MAX_AGE_MONTHS or months >= station.age_max_months:
        raise ValidationError(
            _("Childcare stations take children under 3; %(child)s will be %(months)s months old.")
            % {"child": child, "months": months}
        )
    if months < station.age_min_months:
        raise ValidationError(
            _("%(child)s is too young for this station (from %(min)s months).")
            % {"child": child, "min": station.age_min_months}
        )


def _record_event(enrolment: Enrolment, from_status: str, note: str, by: User) -> None:
    EnrolmentEvent.objects.create(
        enrolment=enrolment, from_status=from_status, to_status=enrolment.status, note=note, by=by
    )


@transaction.atomic
def enrolment_apply(
    *,
    child: Child,
    station: Station,
    start_date: datetime.date,
    health_exam_date: datetime.date,
    vaccinations_confirmed: bool,
    note: str = "",
    by: User,
) -> Enrolment:
    """A guardian applies for a place (入托)."""
    if not _is_guardian(child, by):
        raise ValidationError(_("You can only apply for your own children."))
    require_consent(child)
    # A family waiting for the community's verification may apply; the station cannot offer
    # the place until the household is verified (enrolment_decide).
    require_household_not_refused(child)
    if station.status == Station.Status.CLOSED:
        raise ValidationError(_("This station is closed."))
    if not vaccinations_confirmed:
        raise ValidationError(_("Please confirm the vaccination record."))
    if start_date < timezone.localdate():
        raise ValidationError(_("The start date cannot be in the past."))
    if health_exam_date > timezone.localdate():
        raise ValidationError(_("The health exam date cannot be in the future."))
    _check_age_for_station(child, station, start_date)
    if Enrolment.objects.filter(child=child, status__in=ACTIVE_ENROLMENT).exists():
        raise ValidationError(
            _("%(child)s already has an open application or a place.") % {"child": child}
        )
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                child=child,
                station=station,
                start_date=start_date,
                health_exam_date=health_exam_date,
                vaccinations_confirmed=True,
                note=note,
                applied_by=by,
            )
    except IntegrityError as exc:
        # Two applications for the same child at once: the partial unique index decides.
        raise ValidationError(
            _("%(child)s already has an open application or a place.") % {"child": child}
        ) from exc
    child.health_exam_date = health_exam_date
    child.vaccinations_confirmed = True
    child.save(update_fields=["health_exam_date", "vaccinations_confirmed"])
    _record_event(enrolment, "", note, by)
    return enrolment


DECISION_TEXT = {
    "offered": _("%(station)s offers a place to %(child)s. Please contact the station."),
    "waitlisted": _("%(child)s is on the waiting list of %(station)s."),
    "declined": _("%(station)s could not accept %(child)s."),
    "enrolled": _("%(child)s is now enrolled at %(station)s."),
    "left": _("%(child)s has left %(station)s."),
}


@transaction.atomic
def enrolment_decide(
    *,
    enrolment: Enrolment,
    status: str,
    care_class: CareClass | None = None,
    note: str = "",
    by: User,
) -> Enrolment:
    """Move an application on (offer, waitlist, decline, enrol, leave), keep the history and
    tell the parent.

    Enrolling locks the station row, then the class row, before counting: that closes the race
    where two reviewers each give away the last place. The CheckConstraints
    `enrolled_count <= licensed_places` / `<= capacity` are the backstop.
    """
    if not Station.objects.managed_by(by).filter(pk=enrolment.station_id).exists():
        raise ValidationError(_("You do not manage this station."))
    station = Station.objects.select_for_update().get(pk=enrolment.station_id)
    enrolment = (
        Enrolment.objects.select_for_update().select_related("child__resident").get(pk=enrolment.pk)
    )
    previous = enrolment.status
    if status not in enrolment.allowed_transitions():
        raise ValidationError(_("This application cannot be moved to that status now."))
    if status in ("offered", "enrolled"):
        require_verified_household(enrolment.child, offering=True)
    if status == "enrolled":
        if care_class is None:
            raise ValidationError(_("Choose the class the child joins."))
        care_class = CareClass.objects.select_for_update().get(pk=care_class.pk)
        if care_class.station_id != station.pk:
            raise ValidationError(_("That class belongs to another station."))
        months = enrolment.child.age_in_months_on(max(enrolment.start_date, timezone.localdate()))
        _check_age_for_station(enrolment.child, station, enrolment.start_date)
        if not care_class.fits_age(months):
            raise ValidationError(
                _("%(child)s (%(months)s months) is outside the age band of %(class)s.")
                % {"child": enrolment.child, "months": months, "class": care_class}
            )
        if care_class.enrolled_count >= care_class.capacity:
            raise ValidationError(_("%(class)s is full.") % {"class": care_class})
        if station.enrolled_count >= station.licensed_places:
            raise ValidationError(_("All care places of the station are taken."))
        care_class.enrolled_count += 1
        care_class.save(update_fields=["enrolled_count"])
        station.enrolled_count += 1
        station.save(update_fields=["enrolled_count"])
        enrolment.care_class = care_class
    elif status == "left" and enrolment.care_class_id:
        care_class = CareClass.objects.select_for_update().get(pk=enrolment.care_class_id)
        care_class.enrolled_count -= 1
        care_class.save(update_fields=["enrolled_count"])
        station.enrolled_count -= 1
        station.save(update_fields=["enrolled_count"])
    enrolment.status = status
    enrolment.save(update_fields=["status", "care_class", "updated"])
    _record_event(enrolment, previous, note, by)
    _notify_guardians(
        enrolment.child,
        DECISION_TEXT[status],
        Notification.Kind.ENROLMENT,
        enrolment.get_absolute_url(),
        params={"child": enrolment.child, "station": station},
    )
    return enrolment


# --- the child's day -------------------------------------------------------------------------


def _operated_station_of(child: Child, by: User) -> Station:
    """The station `by` runs where `child` is enrolled or booked today; else refuse."""
    station = (
        Station.objects.operated_by(by)
        .filter(enrolments__child=child, enrolments__status="enrolled")
        .first()
    ) or (
        Station.objects.operated_by(by)
        .filter(sessions__bookings__child=child, sessions__date=timezone.localdate())
        .first()
    )
    if station is None:
        raise ValidationError(_("This child is not at a station you work at."))
    return station


@transaction.atomic
def attendance_check_in(*, child: Child, brought_by: Guardian, by: User) -> Attendance:
    station = _operated_station_of(child, by)
    if brought_by.child_id != child.pk:
        raise ValidationError(_("That person is not listed for this child."))
    today = timezone.localdate()
    last = Attendance.objects.filter(child=child).order_by("-date").first()
    if last is not None and last.date == today:
        raise ValidationError(_("%(child)s is already checked in today.") % {"child": child})
    if last is not None and months_between(last.date, today) >= (
        rules.HEALTH_EXAM_AFTER_ABSENCE_MONTHS
    ):
        exam = child.health_exam_date
        if exam is None or exam <= last.date:
            raise ValidationError(
                _(
                    "%(child)s has been away for %(months)s months or more: a new health exam "
                    "is needed before the child comes back."
                )
                % {"child": child, "months": rules.HEALTH_EXAM_AFTER_ABSENCE_MONTHS}
            )
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                child=child,
                station=station,
                date=today,
                checked_in_at=timezone.now(),
                brought_by=brought_by,
                recorded_by=by,
            )
    except IntegrityError as exc:
        # Two carers pressing "check in" at once: the unique (child, date) decides.
        raise ValidationError(
            _("%(child)s is already checked in today.") % {"child": child}
        ) from exc


@transaction.atomic
def attendance_check_out(*, child: Child, collected_by: Guardian, by: User) -> Attendance:
    """Hand the child over, only to a listed guardian or authorised person."""
    _operated_station_of(child, by)
    if collected_by.child_id != child.pk or not collected_by.may_collect:
        raise ValidationError(
            _("%(person)s is not authorised to collect %(child)s. Do not hand the child over.")
            % {"person": collected_by.name, "child": child}
        )
    attendance = (
        Attendance.objects.select_for_update()
        .filter(child=child, date=timezone.localdate())
        .first()
    )
    if attendance is None:
        raise ValidationError(_("%(child)s was not checked in today.") % {"child": child})
    if attendance.checked_out_at:
        raise ValidationError(_("%(child)s has already been collected.") % {"child": child})
    now = timezone.now()
    if now < attendance.checked_in_at:
        arrived = timezone.localtime(attendance.checked_in_at).strftime("%H:%M")
        raise ValidationError(
            _(
                "%(child)s's arrival is recorded at %(time)s, later than now: a child cannot be "
                "collected before arriving. Ask the station to correct the arrival first."
            )
            % {"child": child, "time": arrived}
        )
    attendance.checked_out_at = now
    attendance.collected_by = collected_by
    attendance.save(update_fields=["checked_out_at", "collected_by"])
    _notify_guardians(
        child,
        _("%(child)s was collected by %(person)s."),
        Notification.Kind.ATTENDANCE,
        child.get_absolute_url(),
        params={"child": child, "person": collected_by.name},
    )
    return attendance


@transaction.atomic
def attendance_set_outdoor(*, child: Child, minutes: int, by: User) -> Attendance:
    _operated_station_of(child, by)
    attendance = Attendance.objects.filter(child=child, date=timezone.localdate()).first()
    if attendance is None:
        raise ValidationError(_("%(child)s was not checked in today.") % {"child": child})
    attendance.outdoor_minutes = minutes
    attendance.save(update_fields=["outdoor_minutes"])
    return attendance


@transaction.atomic
def health_check_record(
    *,
    child: Child,
    period: str,
    temperature: Decimal,
    symptoms: str,
    result: str,
    by: User,
) -> HealthCheck:
    """Record a morning or midday check. A fever counts as a failed check whatever was ticked;
    a failed check notifies the parents at once."""
    _operated_station_of(child, by)
    if temperature >= Decimal(rules.fever_threshold()):
        result = HealthCheck.Result.FAIL
    today = timezone.localdate()
    if HealthCheck.objects.filter(child=child, date=today, period=period).exists():
        raise ValidationError(_("This check is already recorded for today."))
    try:
        with transaction.atomic():
            check = HealthCheck.objects.create(
                child=child,
                date=today,
                period=period,
                temperature=temperature,
                symptoms=symptoms,
                result=result,
                checked_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This check is already recorded for today.")) from exc
    if result == HealthCheck.Result.FAIL:
        _notify_guardians(
            child,
            _(
                "Health check: %(child)s is not well (%(temperature)s °C%(symptoms)s). "
                "Please contact the station now."
            ),
            Notification.Kind.HEALTH,
            child.get_absolute_url(),
            params={
                "child": child,
                "temperature": temperature,
                "symptoms": f", {symptoms}" if symptoms else "",
            },
        )
    return check


@transaction.atomic
def meal_record(*, child: Child, meal: str, amount: str, note: str = "", by: User) -> MealRecord:
    _operated_station_of(child, by)
    record, _created = MealRecord.objects.update_or_create(
        child=child,
        date=timezone.localdate(),
        meal=meal,
        defaults={"amount": amount, "note": note},
    )
    return record


@transaction.atomic
def nap_record(
    *, child: Child, started: datetime.time, ended: datetime.time, by: User
) -> NapRecord:
    _operated_station_of(child, by)
    if ended <= started:
        raise ValidationError(_("The nap must end after it starts."))
    return NapRecord.objects.create(
        child=child, date=timezone.localdate(), started=started, ended=ended
    )


@transaction.atomic
def growth_record(
    *, child: Child, measured_on: datetime.date, height_cm: Decimal, weight_kg: Decimal, by: User
) -> GrowthRecord:
    _operated_station_of(child, by)
    if measured_on > timezone.localdate():
        raise ValidationError(_("The measurement date cannot be in the future."))
    record, _created = GrowthRecord.objects.update_or_create(
        child=child,
        measured_on=measured_on,
        defaults={"height_cm": height_cm, "weight_kg": weight_kg},
    )
    return record


@transaction.atomic
def progress_note_create(
    *, child: Child, domain: str, text: str, strand: CourseStrand | None = None, by: User
) -> ProgressNote:
    """A learning-progress note, optionally tagged with a course strand of the station."""
    station = _operated_station_of(child, by)
    if strand is not None and strand.station_id != station.pk:
        raise ValidationError(_("Choose one of this station's course strands."))
    return ProgressNote.objects.create(
        child=child, date=timezone.localdate(), domain=domain, strand=strand, text=text, by=by
    )


@transaction.atomic
def station_update(*, station: Station, data: dict, by: User) -> Station:
    if not Station.objects.operated_by(by).filter(pk=station.pk).exists():
        raise ValidationError(_("You do not run this station."))
    # Lock the row: an enrolment decided at the same moment raises enrolled_count, and the
    # places check below must see that count, not the one the form was read with.
    enrolled_count = (
        Station.objects.select_for_update()
        .values_list("enrolled_count", flat=True)
        .get(pk=station.pk)
    )
    station.enrolled_count = enrolled_count
    for field, value in data.items():
        setattr(station, field, value)
    if station.licensed_places < station.enrolled_count:
        raise ValidationError(
            _("%(n)s children are enrolled: the station needs at least that many places.")
            % {"n": station.enrolled_count}
        )
    station.save()
    return station


@transaction.atomic
def session_create(
    *,
    station: Station,
    kind: str,
    date: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    capacity: int,
    by: User,
) -> Session:
    if not Station.objects.operated_by(by).filter(pk=station.pk).exists():
        raise ValidationError(_("You do not run this station."))
    if date < timezone.localdate():
        raise ValidationError(_("A session cannot be in the past."))
    if ends_at <= starts_at:
        raise ValidationError(_("A session must end after it starts."))
    if capacity > station.licensed_places:
        raise ValidationError(_("A session cannot have more places than the station."))
    return Session.objects.create(
        station=station,
        kind=kind,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )


@transaction.atomic
def course_strand_create(
    *, station: Station, name: str, description: str = "", order: int = 0, by: User
) -> CourseStrand:
    if not Station.objects.operated_by(by).filter(pk=station.pk).exists():
        raise ValidationError(_("You do not run this station."))
    duplicate = _("This station already has a strand of that name.")
    if CourseStrand.objects.filter(station=station, name=name).exists():
        raise ValidationError(duplicate)
    try:
        with transaction.atomic():
            return CourseStrand.objects.create(
                station=station, name=name, description=description, order=order
            )
    except IntegrityError as exc:
        # The same name added from two screens at once: the unique constraint decides.
        raise ValidationError(duplicate) from exc


@transaction.atomic
def timetable_slot_create(
    *,
    care_class: CareClass,
    weekday: int,
    starts_at: datetime.time,
    ends_at: datetime.time,
    strand: CourseStrand,
    activity: str = "",
    by: User,
) -> TimetableSlot:
    """A planned activity in a class's week; class and strand must be of a station `by` runs."""
    station_id = care_class.station_id
    if not Station.objects.operated_by(by).filter(pk=station_id).exists():
        raise ValidationError(_("You do not run this station."))
    if strand.station_id != station_id:
        raise ValidationError(_("That course belongs to another station."))
    if ends_at <= starts_at:
        raise ValidationError(_("An activity must end after it starts."))
    return TimetableSlot.objects.create(
        care_class=care_class,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        strand=strand,
        activity=activity,
    )


@transaction.atomic
def enrolment_reassign(
    *, enrolment: Enrolment, station: Station, note: str = "", by: User
) -> Enrolment:
    """Move an open application to another station; the reviewer must manage both (community
    staff moving it within their community, or within a "1+N" network they oversee)."""
    managed = Station.objects.managed_by(by)
    if (
        not managed.filter(pk=enrolment.station_id).exists()
        or not managed.filter(pk=station.pk).exists()
    ):
        raise ValidationError(_("You do not manage both stations."))
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("station", "child__resident")
        .get(pk=enrolment.pk)
    )
    if enrolment.status not in ("applied", "waitlisted"):
        raise ValidationError(_("Only an application not yet decided can be moved."))
    if station.pk == enrolment.station_id:
        raise ValidationError(_("The application is already at that station."))
    if station.status == Station.Status.CLOSED:
        raise ValidationError(_("This station is closed."))
    _check_age_for_station(enrolment.child, station, enrolment.start_date)
    previous = enrolment.station
    enrolment.station = station
    enrolment.save(update_fields=["station", "updated"])
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        from_status=enrolment.status,
        to_status=enrolment.status,
        note=_("Moved from %(old)s to %(new)s. %(note)s")
        % {"old": previous, "new": station, "note": note},
        by=by,
    )
    _notify_guardians(
        enrolment.child,
        _("The application for %(child)s has been moved to %(station)s."),
        Notification.Kind.ENROLMENT,
        enrolment.get_absolute_url(),
        params={"child": enrolment.child, "station": station},
    )
    return enrolment


def child_access_record(*, child_ids: list[int], by: User, path: str) -> None:
    """Log that `by` opened the records of these children (one insert for the whole page)."""
    if not child_ids:
        return
    ChildAccessLog.objects.bulk_create(
        [ChildAccessLog(child_id=pk, user=by, path=path[:200]) for pk in child_ids]
    )
