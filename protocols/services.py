"""Writes that span several rows: planning courses, recording sessions, holds and resumes.

Every change to a course's remaining sessions is planned by the same planner as a new course
(``plan_remainder``), so the rules live in one place.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

import planner
from audit.models import AuditEntry
from audit.trail import log_rows
from clinic.models import Clinic
from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)
from protocols import booking
from protocols.models import Course, Session, first_session_date
from protocols.planning import (
    build_request,
    course_request,
    reason_as_dict,
    reason_message,
    rules_from_snapshot,
    with_schedule,
)
from protocols.snapshot import template_snapshot

# R10: with pain this strong before a session (NPRS 0-10), massage is not performed that day.
SEVERE_PAIN = 7
PLAN_AHEAD_DAYS = 366  # a course starts at most a year ahead


def check_start_window(start: date, *, today: date | None = None) -> None:
    """Refuse a start too far in the past (``PLAN_START_GRACE_DAYS``: for courses entered after
    the fact) or more than a year ahead. Every entry point that saves a new course checks it."""
    today = today or timezone.localdate()
    grace = settings.PLAN_START_GRACE_DAYS
    earliest = today - timedelta(days=grace)
    if start < earliest:
        raise ValidationError(
            ngettext(
                "The start cannot be more than %(days)d day in the past; choose %(date)s or later.",
                "The start cannot be more than %(days)d days in the past; choose %(date)s "
                "or later.",
                grace,
            )
            % {"days": grace, "date": date_format(earliest)}
        )
    if start > today + timedelta(days=PLAN_AHEAD_DAYS):
        raise ValidationError(_("Plan at most a year ahead."))


class CourseRefused(ValidationError):
    """The planner refused the course; ``refusal`` holds every reason and the earliest start."""

    def __init__(self, refusal: planner.Refusal):
        self.refusal = refusal
        messages = [f"{reason.rule}: {reason_message(reason)}" for reason in refusal.reasons]
        if refusal.earliest_start:
            messages.append(
                _("The earliest start that would work is %(date)s.")
                % {"date": refusal.earliest_start.isoformat()}
            )
        super().__init__(messages)


def create_course(
    *,
    patient: Patient,
    template,
    start: date,
    sessions: int | None = None,
    cadence_days: int | None = None,
    therapist=None,
    created_by=None,
    request_token=None,
    preferred_time: int | None = None,
) -> Course:
    """Plan a course and save it with all its sessions, or raise ``CourseRefused``.

    The patient's row is locked for the duration, so two simultaneous plannings for one patient
    are checked one after the other (R4 sees the first course when checking the second).
    ``request_token`` identifies the planning form: submitting it twice returns the course the
    first submit created instead of planning another.
    """
    if patient.archived:
        raise ValidationError(_("This patient is archived: restore the record before planning."))
    if template.clinic_id != patient.clinic_id:
        raise ValidationError(_("Choose a protocol template of the patient's clinic."))
    if not template.active:
        raise ValidationError(_("This template is no longer in use; choose an active one."))
    if therapist is not None and therapist.clinic_id != patient.clinic_id:
        raise ValidationError(_("Choose a therapist of the patient's clinic."))
    with transaction.atomic():
        patient = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        if request_token is not None:
            existing = Course.objects.filter(patient=patient, request_token=request_token).first()
            if existing is not None:
                return existing
        booking.lock_the_book(patient.clinic)
        request = course_request(
            patient=patient,
            template=template,
            start=start,
            sessions=sessions,
            cadence_days=cadence_days,
            therapist=therapist,
            preferred_time=preferred_time,
        )
        answer = planner.plan(request)
        if isinstance(answer, planner.Refusal):
            raise CourseRefused(answer)
        course = Course.objects.create(
            patient=patient,
            template=template,
            template_snapshot=template_snapshot(template),
            cadence_days=request.cadence_days or template.cadence_days,
            therapist=therapist,
            created_by=created_by,
            warnings=[reason_as_dict(reason) for reason in answer.warnings],
            request_token=request_token,
            starts_on=answer.sessions[0].day,
        )
        rooms = booking.rooms_by_name(patient.clinic)
        rows = [
            Session(
                course=course,
                clinic_id=patient.clinic_id,
                number=s.number,
                date=s.day,
                planned_minutes=s.minutes,
                therapist=therapist,
                **booking.appointment(patient.clinic, s, rooms),
            )
            for s in answer.sessions
        ]
        booking.save_bookings(patient.clinic, rows, create=True)
        _log_sessions(
            course,
            [(row, AuditEntry.Action.CREATE, _planned(row)) for row in course.sessions.all()],
        )
    return course


# --- Two people changing one course ---------------------------------------------------------


class CourseChanged(ValidationError):
    """The course changed after the page that asks for a change was opened: nothing is saved."""

    def __init__(self, course: Course):
        last = (
            AuditEntry.objects.filter(
                patient_id=course.patient_id,
                content_type__app_label="protocols",
                content_type__model__in=("course", "session"),
                action__in=(AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE),
            )
            .order_by("-timestamp", "-pk")
            .first()
        )
        if last is not None and last.actor_name:
            message = _(
                "%(who)s changed this course at %(time)s, after you opened the page. Nothing "
                "was saved: check the course as it is now and repeat your change if it still "
                "applies."
            ) % {
                "who": last.actor_name,
                "time": date_format(timezone.localtime(last.timestamp), "SHORT_DATETIME_FORMAT"),
            }
        else:
            message = _(
                "Someone else changed this course after you opened the page. Nothing was saved: "
                "check the course as it is now and repeat your change if it still applies."
            )
        super().__init__(message, code="changed")


def lock_clinic_of(session_or_course) -> None:
    """Lock the clinic's book before any course or session row: every write that books takes
    the locks in this order (clinic, then course, then session), so two of them never wait for
    each other's rows."""
    if isinstance(session_or_course, Session):
        rows = Session.objects.filter(pk=session_or_course.pk)
        path = "course__patient__clinic_id"
    else:
        rows = Course.objects.filter(pk=session_or_course.pk)
        path = "patient__clinic_id"
    clinic_id = rows.values_list(path, flat=True).first()
    if clinic_id is not None:
        list(Clinic.objects.select_for_update().filter(pk=clinic_id).values_list("pk", flat=True))


def _check_version(course: Course, expected: int | None) -> None:
    """Refuse the change if the (locked) course is not the version the page showed."""
    if expected is not None and course.version != expected:
        raise CourseChanged(course)


def _bump(course: Course) -> None:
    """A new version of the course: pages opened before this change can no longer change it.

    Every change to a course's sessions ends here, so the course's first date (``starts_on``,
    which the bulk session writes do not signal) is brought up to date in the same statement.
    """
    Course.objects.filter(pk=course.pk).update(
        version=F("version") + 1, starts_on=first_session_date()
    )
    course.version += 1


# --- The audit trail of writes that go around model signals ---------------------------------


def _planned(row: Session) -> dict:
    return {
        "number": (None, row.number),
        "date": (None, row.date),
        "planned_minutes": (None, row.planned_minutes),
        "status": (None, row.status),
    }


def _log_sessions(course: Course, rows) -> None:
    log_rows(rows, clinic_id=course.patient.clinic_id, patient_id=course.patient_id)


def _set_status(course: Course, sessions, status: str) -> None:
    """Give ``sessions`` (a queryset of the course's) a new status, with an entry for each."""
    rows = list(sessions.only("pk", "number", "course_id", "status"))
    Session.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=status, revision=F("revision") + 1
    )
    _log_sessions(
        course,
        [(row, AuditEntry.Action.UPDATE, {"status": (row.status, status)}) for row in rows],
    )


# --- Re-planning the rest of a course -------------------------------------------------------


def plan_remainder(
    *, course: Course, start: date, count: int, first_minutes: int, preferred_time=None
):
    """Plan the remaining ``count`` sessions of ``course`` from ``start``, like a new course.

    At ``preferred_time`` (minutes since midnight), by default the course's usual time. The ramp
    continues from ``first_minutes`` (the minutes the next session was due to last); the
    session-count limits of R2 apply to whole courses, not to a remainder; the course itself is
    not "another course" for R4.
    """
    rules = rules_from_snapshot(course.template_snapshot)
    rules = dataclasses.replace(
        rules,
        start_minutes=min(first_minutes, rules.target_minutes),
        min_sessions=1,
        max_sessions=max(count, rules.max_sessions),
        default_sessions=count,
    )
    request = build_request(
        patient=course.patient,
        rules=rules,
        start=start,
        sessions=count,
        cadence_days=course.cadence_days,
        exclude_course=course,
    )
    request = with_schedule(
        request,
        clinic=course.patient.clinic,
        therapist=course.therapist,
        preferred_time=(
            booking.usual_time(course.sessions.all()) if preferred_time is None else preferred_time
        ),
        buffer_minutes=course.snapshot.buffer_minutes,
        exclude_course=course,
        skip_past=True,
    )
    return planner.plan(request)


def _apply_plan(course: Course, rows: list[Session], plan: planner.Plan) -> int:
    """Give ``rows`` the plan's dates and minutes; add rows for sessions beyond them. Returns
    how many of ``rows`` a stand-in was to give and the course's therapist gives now."""
    returned = sum(1 for row in rows if row.therapist_id not in (None, course.therapist_id))
    next_number = max(course.sessions.values_list("number", flat=True), default=0) + 1
    clinic = course.patient.clinic
    rooms = booking.rooms_by_name(clinic)
    booking.lock_the_book(clinic)
    trail, new_times = [], []
    for row, planned in zip(rows, plan.sessions, strict=False):
        moved = ["date", "planned_minutes", "starts_at", "ends_at", "room_id"]
        before = {name: getattr(row, name) for name in [*moved, "status"]}
        for name, value in booking.appointment(clinic, planned, rooms).items():
            setattr(row, name, value)
        row.date, row.planned_minutes, row.status = planned.day, planned.minutes, Session.PLANNED
        # The plan is the course's therapist's time: a stand-in's session goes back to them.
        moved.append("therapist_id")
        before["therapist_id"] = row.therapist_id
        row.therapist_id = course.therapist_id
        if any(before[name] != getattr(row, name) for name in moved[:-1]):
            new_times.append(row.pk)
        if any(before[name] != getattr(row, name) for name in moved):
            row.revision += 1
        changes = {
            name: (old, getattr(row, name))
            for name, old in before.items()
            if old != getattr(row, name)
        }
        if changes:
            trail.append((row, AuditEntry.Action.UPDATE, changes))
    fields = ["date", "planned_minutes", "status", "revision", "starts_at", "ends_at", "room"]
    booking.save_bookings(clinic, rows, fields=[*fields, "therapist"])
    # A new time gets its own reminder. Cleared by an update of its own rather than written back
    # from the rows read above, so a reminder claimed meanwhile for an unmoved session stays.
    Session.objects.filter(pk__in=new_times).update(reminder_sent_at=None, confirmed_at=None)
    extra = plan.sessions[len(rows) :]
    if extra:
        booking.save_bookings(
            clinic,
            [
                Session(
                    course=course,
                    clinic_id=clinic.pk,
                    number=next_number + i,
                    date=s.day,
                    planned_minutes=s.minutes,
                    therapist_id=course.therapist_id,
                    **booking.appointment(clinic, s, rooms),
                )
                for i, s in enumerate(extra)
            ],
            create=True,
        )
        added = course.sessions.filter(number__gte=next_number)
        trail += [(row, AuditEntry.Action.CREATE, _planned(row)) for row in added]
    _log_sessions(course, trail)
    return returned


def _finish_if_nothing_left(course: Course) -> None:
    if not course.sessions.filter(status__in=(Session.PLANNED, Session.ON_HOLD)).exists():
        course.status = Course.COMPLETED
        course.save(update_fields=["status", "updated_at"])


# --- Recording a session --------------------------------------------------------------------


@dataclass
class Recorded:
    """What recording a session did, for the message the therapist sees."""

    session: Session
    skipped_for_pain: bool = False
    made_up: bool = False
    not_made_up: list[str] = field(default_factory=list)  # reasons, when no make-up date works
    not_made_up_reasons: list = field(default_factory=list)  # the same as planner.Reason
    returned: int = 0  # sessions a stand-in was to give, back with the course's therapist


def record_session(
    *,
    session: Session,
    user,
    done: bool,
    actual_minutes: int | None = None,
    pain_before: int | None = None,
    pain_after: int | None = None,
    skip_reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Recorded:
    """Record a planned session as done or skipped.

    Severe pain before the session (NPRS >= 7) means massage is not performed (R10): the session
    is recorded as skipped with that reason. A skipped session is made up: the rest of the course
    moves on by one session, keeping its cadence and the clinic's working days.
    """
    with transaction.atomic():
        lock_clinic_of(session)
        course = (
            Course.objects.select_for_update()
            .select_related("patient__clinic")
            .get(pk=session.course_id)
        )
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status in Session.RECORDED:
            raise ValidationError(
                _("Session %(number)d was already recorded; nothing was changed.")
                % {"number": session.number}
            )
        _check_version(course, expected_version)
        if session.status != Session.PLANNED:
            raise ValidationError(
                _("Session %(number)d is %(status)s and cannot be recorded.")
                % {"number": session.number, "status": session.get_status_display()}
            )
        outcome = Recorded(session=session)
        if done and pain_before is not None and pain_before >= SEVERE_PAIN:
            done = False
            outcome.skipped_for_pain = True
            skip_reason = _(
                "Severe pain before the session (%(pain)d of 10): massage not performed (R10)."
            ) % {"pain": pain_before}
        session.pain_before, session.note = pain_before, note
        session.recorded_by, session.recorded_at = user, timezone.now()
        if done:
            if not actual_minutes:
                raise ValidationError(
                    {"actual_minutes": _("Enter how many minutes the session lasted.")}
                )
            session.status = Session.DONE
            session.actual_minutes, session.pain_after = actual_minutes, pain_after
            session.skip_reason = ""
        else:
            if not skip_reason:
                raise ValidationError({"skip_reason": _("Say why the session was skipped.")})
            session.status = Session.SKIPPED
            session.actual_minutes, session.pain_after = None, None
            session.skip_reason = skip_reason
        session.save()
        if course.status == Course.PLANNED:
            course.status = Course.ACTIVE
            course.save(update_fields=["status", "updated_at"])
        if session.status == Session.SKIPPED:
            _make_up(course, session, outcome)
        _finish_if_nothing_left(course)
        _bump(course)
    return outcome


def _make_up(course: Course, skipped: Session, outcome: Recorded) -> None:
    later = list(
        course.sessions.filter(number__gt=skipped.number, status=Session.PLANNED).order_by("number")
    )
    today = booking.local_minutes(course.patient.clinic, timezone.now())[0]
    start = max(skipped.date + timedelta(days=course.cadence_days), today)
    answer = plan_remainder(
        course=course, start=start, count=len(later) + 1, first_minutes=skipped.planned_minutes
    )
    if isinstance(answer, planner.Refusal):
        outcome.not_made_up = [reason_message(r) for r in answer.reasons]
        outcome.not_made_up_reasons = list(answer.reasons)
        return
    outcome.returned = _apply_plan(course, later, answer)
    outcome.made_up = True


# --- Holds (R6, R7, R9) and resuming --------------------------------------------------------


def hold_affected_courses(
    *, patient: Patient, start: date, end: date | None, reason: str, months_after_end: int = 0
) -> list[Course]:
    """Put on hold the future sessions of the patient's running courses that a period reaches.

    From the first affected session on, every remaining planned session is held (they will be
    re-planned together on resume). ``months_after_end`` widens the period (R7: a month after an
    inflammatory-arthritis flare ends).
    """
    today = timezone.localdate()
    until = end + relativedelta(months=months_after_end) if end else None
    held = []
    with transaction.atomic():
        courses = Course.objects.select_for_update().filter(
            patient=patient, status__in=Course.RUNNING
        )
        for course in courses:
            upcoming = course.sessions.filter(status=Session.PLANNED, date__gte=max(start, today))
            if until is not None:
                first = upcoming.filter(date__lte=until).order_by("number").first()
            else:
                first = upcoming.order_by("number").first()
            if first is None:
                continue
            _set_status(
                course,
                course.sessions.filter(status=Session.PLANNED, number__gte=first.number),
                Session.ON_HOLD,
            )
            course.status = Course.ON_HOLD
            course.hold_reason = reason[:300]
            course.save(update_fields=["status", "hold_reason", "updated_at"])
            _bump(course)
            held.append(course)
    return held


def suggested_resume_date(course: Course) -> date | None:
    """The earliest date from today from which the held sessions can be re-planned."""
    held = list(course.sessions.filter(status=Session.ON_HOLD).order_by("number"))
    if not held:
        return None
    today = timezone.localdate()
    answer = plan_remainder(
        course=course, start=today, count=len(held), first_minutes=held[0].planned_minutes
    )
    if isinstance(answer, planner.Refusal):
        return answer.earliest_start
    return answer.sessions[0].day


def resume_course(*, course: Course, start: date, expected_version: int | None = None) -> Course:
    """Re-plan the held sessions from ``start``; raise ``CourseRefused`` if a rule still forbids."""
    if start < timezone.localdate():
        raise ValidationError({"start": _("Choose today or a later date.")})
    with transaction.atomic():
        lock_clinic_of(course)
        course = (
            Course.objects.select_for_update().select_related("patient__clinic").get(pk=course.pk)
        )
        held = list(course.sessions.filter(status=Session.ON_HOLD).order_by("number"))
        if course.status != Course.ON_HOLD or not held:
            raise ValidationError(_("This course has no sessions on hold."))
        _check_version(course, expected_version)
        answer = plan_remainder(
            course=course, start=start, count=len(held), first_minutes=held[0].planned_minutes
        )
        if isinstance(answer, planner.Refusal):
            raise CourseRefused(answer)
        _apply_plan(course, held, answer)
        started = course.sessions.filter(status__in=(Session.DONE, Session.SKIPPED)).exists()
        course.status = Course.ACTIVE if started else Course.PLANNED
        course.hold_reason = ""
        course.save(update_fields=["status", "hold_reason", "updated_at"])
        _bump(course)
    return course


# --- Sessions planned before the appointment book -----------------------------------------


NO_HOURS = gettext_lazy(
    "The therapist has no working hours yet: a clinic admin enters them on the staff page, then "
    "the sessions can be given times."
)


def give_times(*, course: Course, expected_version: int | None = None) -> int:
    """Book the course's remaining planned sessions that have no time (R17), from their first
    date (or today) on; returns how many were booked. All or nothing."""
    with transaction.atomic():
        lock_clinic_of(course)
        course = (
            Course.objects.select_for_update(of=("self",))
            .select_related("patient__clinic", "therapist")
            .get(pk=course.pk)
        )
        _check_version(course, expected_version)
        remaining = list(
            course.sessions.filter(status=Session.PLANNED, starts_at__isnull=True).order_by(
                "number"
            )
        )
        if not remaining:
            raise ValidationError(_("Every remaining session of this course has its time."))
        if course.therapist is None or not booking.weekly_hours(course.therapist):
            raise ValidationError(str(NO_HOURS))
        start = max(remaining[0].date, timezone.localdate())
        answer = plan_remainder(
            course=course,
            start=start,
            count=len(remaining),
            first_minutes=remaining[0].planned_minutes,
        )
        if isinstance(answer, planner.Refusal):
            raise CourseRefused(answer)
        _apply_plan(course, remaining, answer)
        _bump(course)
    return len(remaining)


# --- Archiving a patient --------------------------------------------------------------------


def archive_patient(*, patient: Patient, archived: bool = True) -> Patient:
    """Archive a patient (``archived=False`` restores one); refused while a course is running.

    The patient's row is locked, as ``create_course`` locks it, so a course whose planning holds
    the lock first is seen here.
    """
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        if archived and Course.objects.filter(patient=patient, status__in=Course.RUNNING).exists():
            raise ValidationError(
                _("Finish or cancel this patient's running course before archiving.")
            )
        if patient.archived != archived:
            patient.archived = archived
            patient.save(update_fields=["archived", "updated_at"])
    return patient


# --- Ending a course ------------------------------------------------------------------------


def close_course(*, course: Course, status: str, expected_version: int | None = None) -> Course:
    """Complete or cancel a course; its sessions not yet recorded are cancelled."""
    if status not in (Course.COMPLETED, Course.CANCELLED):
        raise ValueError(status)
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status in (Course.COMPLETED, Course.CANCELLED):
            raise ValidationError(
                _("This course is already %(status)s.") % {"status": course.get_status_display()}
            )
        _check_version(course, expected_version)
        _set_status(
            course,
            course.sessions.filter(status__in=(Session.PLANNED, Session.ON_HOLD)),
            Session.CANCELLED,
        )
        course.status = status
        course.hold_reason = ""
        course.save(update_fields=["status", "hold_reason", "updated_at"])
        _bump(course)
    return course


# --- Periods of the patient that reach their courses ---------------------------------------


def save_period(period: Exacerbation | PatientContraindication) -> list:
    """Save an exacerbation or a contraindication period; hold the courses it reaches.

    An exacerbation puts the affected remaining sessions on hold (R6; for inflammatory arthritis
    until a month after it ends, R7); so does a blocking contraindication (R9). Returns the courses
    put on hold.
    """
    with transaction.atomic():
        period.save()
        since = date_format(period.start, "SHORT_DATE_FORMAT")
        if isinstance(period, Exacerbation):
            inflammatory = period.condition.kind == Condition.INFLAMMATORY_ARTHRITIS
            reason = _("%(rule)s: exacerbation (%(condition)s) since %(date)s") % {
                "rule": "R7" if inflammatory else "R6",
                "condition": period.condition.get_kind_display(),
                "date": since,
            }
            months_after = 1 if inflammatory else 0
        elif period.kind.severity == ContraindicationKind.BLOCKS:
            reason = _("R9: %(name)s since %(date)s") % {"name": period.kind.name, "date": since}
            months_after = 0
        else:
            return []
        return hold_affected_courses(
            patient=period.patient,
            start=period.start,
            end=period.end,
            reason=reason,
            months_after_end=months_after,
        )
