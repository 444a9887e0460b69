"""Moving sessions by hand (R18), stand-ins, no-shows and patients' cancellations, and absences
or closures that reach booked sessions.

Every write here runs in one transaction with the course locked and the clinic's book locked
(``booking.lock_the_book``): a refused move or cover changes nothing. The rules are the planner's
(``planner.moves``); this module reads their input from the database and saves the answer.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import planner
from audit.models import AuditEntry
from clinic.models import Absence, ClosedDate, WorkingHours
from clinic.selectors import bookable_staff
from clinic.services import record_absence
from planner import moves
from protocols import booking
from protocols.models import Course, Session
from protocols.planning import build_request, rules_from_snapshot
from protocols.services import (
    CourseRefused,
    Recorded,
    _apply_plan,
    _bump,
    _check_version,
    _finish_if_nothing_left,
    _log_sessions,
    _make_up,
    lock_clinic_of,
    plan_remainder,
)

# Sessions that are a course's neighbours for R18: given or still to come at their time.
NEIGHBOURS = (Session.PLANNED, Session.DONE)
# A patient's cancellation this close to the session's start is late (the patient page counts it).
LATE_CANCELLATION = timedelta(hours=24)
CLINICAL_REFUSAL = gettext_lazy(
    "The course's clinical rules do not allow this time. Ask the patient's therapist to move it."
)


class MoveRefused(ValidationError):
    """The session may not be at the time asked; ``reasons`` names every rule, ``offers`` the
    nearest times that keep them."""

    def __init__(self, reasons, offers=()):
        self.reasons = tuple(reasons)
        self.offers = list(offers)
        super().__init__([reason.rule for reason in self.reasons], code="refused")


def therapist_name(user) -> str:
    return user.get_full_name() or user.get_username()


def may_move(user, session: Session) -> bool:
    """Roles decide: with ``move_any_session`` (clinic admins, reception) any session of the
    clinic; otherwise (a therapist) only the sessions they give or of the courses they lead."""
    if not user.has_perm("protocols.book_session"):
        return False
    if user.has_perm("protocols.move_any_session"):
        return True
    return user.pk in (session.therapist_id, session.course.therapist_id)


def _check_may_move(user, session: Session) -> None:
    if user is not None and not may_move(user, session):
        raise PermissionDenied(_("Only the session's therapist or the front desk may move it."))


def local_start(clinic, session: Session) -> int | None:
    if session.starts_at is None:
        return None
    return booking.local_minutes(clinic, session.starts_at)[1]


def clinic_now(clinic) -> tuple[date, int]:
    return booking.local_minutes(clinic, timezone.now())


def move_for(
    session: Session, *, therapist=None, day: date | None = None, base: moves.Move | None = None
) -> moves.Move:
    """The planner's view of moving ``session`` (its course and patient loaded with the
    clinic), to be given by ``therapist`` (default: whoever gives it now), to ``day`` or the
    nearest allowed times: the bookings are read up to the next session of the course, or for
    the days offers may be looked for. ``base``: a move of the same session already read, whose
    patient facts and neighbours are used again (only the therapist's week is read)."""
    course = session.course
    patient = course.patient
    clinic = patient.clinic
    therapist = therapist or session.therapist or course.therapist
    if therapist is None:
        raise ValidationError(_("Choose who gives this session first."))
    hours = booking.weekly_hours(therapist)
    if not hours:
        raise ValidationError(
            _("%(name)s has no working hours yet: a clinic admin enters them on the staff page.")
            % {"name": therapist_name(therapist)}
        )
    today, now = clinic_now(clinic)
    if base is None:
        siblings = list(
            course.sessions.filter(status__in=NEIGHBOURS)
            .exclude(pk=session.pk)
            .order_by("number")
            .values_list("number", "date")
        )
        previous = [moves.Neighbour(n, d) for n, d in siblings if n < session.number]
        following = [moves.Neighbour(n, d) for n, d in siblings if n > session.number]
        course_days = tuple(d for _n, d in siblings)
    else:
        previous = [base.previous] if base.previous else []
        following = [base.next] if base.next else []
        course_days = base.course_days
    if following:
        until = following[0].day
    else:  # as far as offers are looked for: 60 days past the latest day they may be around
        latest = max(session.date, today, day or session.date)
        until = latest + timedelta(days=moves.SEARCH_DAYS + 1)
    start = min(today, session.date)
    if base is None:
        request = build_request(
            patient=patient,
            rules=rules_from_snapshot(course.template_snapshot),
            start=start,
            exclude_course=course,
        )
    else:
        request = base.request
    preferred = local_start(clinic, session)
    if preferred is None:
        preferred = min(first for spans in hours.values() for first, _end in spans)
    schedule = booking.schedule_for(
        clinic=clinic,
        therapist=therapist,
        hours=hours,
        start=start,
        preferred_time=preferred,
        buffer_minutes=course.snapshot.buffer_minutes,
        exclude_session=session,
        until=until,
    )
    request = dataclasses.replace(request, schedule=schedule)
    return moves.Move(
        request=request,
        number=session.number,
        minutes=session.planned_minutes,
        cadence=course.cadence_days,
        previous=previous[-1] if previous else None,
        next=following[0] if following else None,
        course_days=course_days,
        today=today,
        now=now,
    )


def _locked(session: Session) -> tuple[Course, Session]:
    course = (
        Course.objects.select_for_update(of=("self",))
        .select_related("patient__clinic", "therapist")
        .get(pk=session.course_id)
    )
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("therapist", "room")
        .get(pk=session.pk)
    )
    session.course = course
    return course, session


def _check_planned(session: Session) -> None:
    if session.status != Session.PLANNED:
        raise ValidationError(
            _("Session %(number)d is %(status)s: only a planned session can be moved.")
            % {"number": session.number, "status": session.get_status_display()}
        )


def _same_clinic(course: Course, therapist) -> None:
    if therapist is not None and therapist.clinic_id != course.patient.clinic_id:
        raise ValidationError(_("Choose a therapist of the patient's clinic."))


def _rebook(course: Course, session: Session, verdict: moves.Verdict, therapist) -> None:
    """Give ``session`` the verdict's time, room and ``therapist``, with the audit entry; one
    revision up, so calendar files replace the old event (SEQUENCE)."""
    clinic = course.patient.clinic
    fields = ["date", "starts_at", "ends_at", "room_id", "therapist_id"]
    before = {name: getattr(session, name) for name in fields}
    rooms = booking.rooms_by_name(clinic) if verdict.room else {}
    session.date = verdict.day
    session.starts_at = booking.aware(clinic, verdict.day, verdict.start)
    session.ends_at = booking.aware(clinic, verdict.day, verdict.end)
    session.room = rooms.get(verdict.room)
    session.therapist = therapist
    session.revision += 1
    session.reminder_sent_at = session.confirmed_at = None  # the new time gets its own reminder
    booking.save_bookings(
        clinic,
        [session],
        fields=[
            *("date", "starts_at", "ends_at", "room", "therapist", "revision"),
            *("reminder_sent_at", "confirmed_at"),
        ],
    )
    changes = {
        name: (old, getattr(session, name))
        for name, old in before.items()
        if old != getattr(session, name)
    }
    if changes:
        _log_sessions(course, [(session, AuditEntry.Action.UPDATE, changes)])


def move_session(
    *,
    session: Session,
    day: date,
    start: int,
    therapist=None,
    user=None,
    expected_version: int | None = None,
) -> Session:
    """Move one planned session to ``start`` (minutes since the clinic's midnight) on ``day``,
    given by ``therapist`` (a stand-in) or whoever gives it now, if every rule of R18 allows it;
    otherwise raise ``MoveRefused`` with every reason and the nearest allowed times."""
    with transaction.atomic():
        lock_clinic_of(session)
        course, session = _locked(session)
        _check_may_move(user, session)
        _check_planned(session)
        _check_version(course, expected_version)
        _same_clinic(course, therapist)
        therapist = therapist or session.therapist or course.therapist
        move = move_for(session, therapist=therapist, day=day)
        verdict = moves.check(move, day, start)
        if not verdict.ok:
            here = local_start(course.patient.clinic, session)
            skip = (session.date, here) if here is not None else None
            offers = moves.offers(move, day, start, skip=skip)
            raise MoveRefused(verdict.reasons, offers)
        _rebook(course, session, verdict, therapist)
        _bump(course)
    return session


def offers_for(session: Session, *, therapist=None) -> list[moves.Verdict]:
    """The nearest allowed times for ``session`` around its own day and time."""
    move = move_for(session, therapist=therapist)
    clinic = session.course.patient.clinic
    at = local_start(clinic, session)
    if at is None:
        at = move.schedule.preferred_time
    skip = (session.date, at) if session.starts_at is not None else None
    return moves.offers(move, max(session.date, move.first_day()), at, skip=skip)


def free_colleagues(session: Session, *, day: date | None = None, start: int | None = None):
    """The clinic's other therapists who could give ``session`` at ``start`` on ``day``
    (default: its own time) by every rule, in name order."""
    course = session.course
    clinic = course.patient.clinic
    day = day or session.date
    start = local_start(clinic, session) if start is None else start
    if start is None:
        return []
    givers = (
        bookable_staff(clinic.pk)
        .filter(
            is_active=True,
            pk__in=WorkingHours.objects.filter(weekday=day.weekday()).values("therapist"),
        )
        .exclude(pk=session.therapist_id)
        .order_by("last_name", "first_name", "username")
    )
    free, base = [], None
    for colleague in givers:
        move = move_for(session, therapist=colleague, day=day, base=base)
        base = move
        if moves.check(move, day, start).ok:
            free.append(colleague)
    return free


def move_rest(
    *,
    session: Session,
    day: date,
    start: int,
    user=None,
    expected_version: int | None = None,
) -> int:
    """Re-plan ``session`` and every later planned session of its course with the planner from
    ``day`` at ``start``, as after a skip. Returns how many moved; ``CourseRefused`` when a rule
    forbids it, ``MoveRefused`` when the first of them cannot come so soon after the last."""
    with transaction.atomic():
        lock_clinic_of(session)
        course, session = _locked(session)
        _check_may_move(user, session)
        _check_planned(session)
        _check_version(course, expected_version)
        move = move_for(session, day=day)
        order = [r for r in moves.check(move, day, start).reasons if r.rule == "R18"]
        order = [r for r in order if r.template not in (moves.R18_BEFORE_NEXT, moves.R18_GAP_NEXT)]
        if order:
            raise MoveRefused(order)
        rest = list(
            course.sessions.filter(number__gte=session.number, status=Session.PLANNED).order_by(
                "number"
            )
        )
        answer = plan_remainder(
            course=course,
            start=day,
            count=len(rest),
            first_minutes=rest[0].planned_minutes,
            preferred_time=start,
        )
        if isinstance(answer, planner.Refusal):
            raise CourseRefused(answer)
        _apply_plan(course, rest, answer)
        _bump(course)
    return len(rest)


# --- No-shows and patients' cancellations ---------------------------------------------------


def record_attendance(
    *,
    session: Session,
    user,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Recorded:
    """Record that the patient did not come (``Session.NO_SHOW``) or cancelled
    (``Session.PATIENT_CANCELLED``, with ``reason``). Like a skip, the session is not given and
    the course adds one at its end, re-planning the rest to keep its spacing."""
    if status not in (Session.NO_SHOW, Session.PATIENT_CANCELLED):
        raise ValueError(status)
    reason = reason.strip()
    with transaction.atomic():
        lock_clinic_of(session)
        course, session = _locked(session)
        if session.status in Session.RECORDED:
            raise ValidationError(
                _("Session %(number)d was already recorded; nothing was changed.")
                % {"number": session.number}
            )
        _check_may_move(user, session)
        _check_version(course, expected_version)
        if session.status != Session.PLANNED:
            raise ValidationError(
                _("Session %(number)d is %(status)s and cannot be recorded.")
                % {"number": session.number, "status": session.get_status_display()}
            )
        clinic = course.patient.clinic
        today, now = clinic_now(clinic)
        if status == Session.NO_SHOW:
            started = session.date < today or (
                session.date == today and (local_start(clinic, session) or 0) <= now
            )
            if not started:
                raise ValidationError(
                    _(
                        "Session %(number)d has not started yet: record that the patient did "
                        "not come once its time has come, or record a cancellation."
                    )
                    % {"number": session.number}
                )
            reason = reason or _("The patient did not come.")
        elif not reason:
            raise ValidationError({"reason": _("Say why the patient cancelled.")})
        before = session.status
        Session.objects.filter(pk=session.pk).update(
            status=status,
            skip_reason=reason[:300],
            recorded_by=user,
            recorded_at=timezone.now(),
            revision=F("revision") + 1,
        )
        session.refresh_from_db()
        _log_sessions(
            course,
            [
                (
                    session,
                    AuditEntry.Action.UPDATE,
                    {"status": (before, status), "skip_reason": ("", session.skip_reason)},
                )
            ],
        )
        outcome = Recorded(session=session)
        _make_up(course, session, outcome)
        _finish_if_nothing_left(course)
        _bump(course)
    return outcome


def is_late_cancellation(session: Session, zone=None) -> bool:
    """Cancelled by the patient less than a day before the start (without a time: on the day
    before or later, in the clinic's ``zone``)."""
    if session.status != Session.PATIENT_CANCELLED or session.recorded_at is None:
        return False
    if session.starts_at is not None:
        return session.recorded_at > session.starts_at - LATE_CANCELLATION
    recorded_on = timezone.localtime(session.recorded_at, zone).date()
    return recorded_on >= session.date - timedelta(days=1)


# --- Absences and closures that reach booked sessions ---------------------------------------


@dataclass(frozen=True)
class Answer:
    """What happens to one booked session: given by ``therapist_id`` at its own time, moved to
    ``start`` on ``day`` (R18) by its own therapist, or (``replan``) re-planned with the rest of
    its course from its own day, around the days that cannot be used."""

    therapist_id: int | None = None
    day: date | None = None
    start: int | None = None
    replan: bool = False


@dataclass
class Affected:
    """A booked session an absence or closure reaches, with what the page offers for it."""

    session: Session
    colleagues: list = field(default_factory=list)
    nearest: moves.Verdict | None = None


def booked_in(sessions, first: date, last: date):
    return (
        sessions.filter(status=Session.PLANNED, date__gte=first, date__lte=last)
        .select_related("course__patient__clinic", "course__therapist", "therapist", "room")
        .order_by("date", "starts_at", "pk")
    )


def _affected_by_absence(therapist, start, end) -> list[Session]:
    return list(booked_in(Session.objects.filter(therapist=therapist), start, end))


def _affected_by_closure(clinic, day) -> list[Session]:
    return list(booked_in(Session.objects.filter(course__patient__clinic=clinic), day, day))


def _options(sessions, *, stand_ins: bool) -> list[Affected]:
    found = []
    for session in sessions:
        colleagues = free_colleagues(session) if stand_ins else []
        try:
            nearest = offers_for(session)
        except ValidationError:
            nearest = []
        found.append(Affected(session, colleagues, nearest[0] if nearest else None))
    return found


def absence_preview(*, therapist, start: date, end: date, reason: str) -> list[Affected]:
    """The sessions an absence would reach, each with the colleagues free at its time and the
    nearest time its therapist could give it by R18 with the absence recorded. Nothing is
    saved: the absence is recorded in a savepoint that is rolled back."""
    with transaction.atomic():
        record_absence(therapist=therapist, start=start, end=end, reason=reason, covered=True)
        affected = _options(_affected_by_absence(therapist, start, end), stand_ins=True)
        transaction.set_rollback(True)
    return affected


def closure_preview(*, clinic, day: date) -> list[Affected]:
    """The sessions a closure would reach, each with the nearest time by R18 (rolled back)."""
    with transaction.atomic():
        _close(clinic, day, "")
        affected = _options(_affected_by_closure(clinic, day), stand_ins=False)
        transaction.set_rollback(True)
    return affected


class CoverRefused(ValidationError):
    """Some booked sessions got no answer, or an answer the rules refuse: nothing was saved.
    ``problems`` maps a session id to its messages."""

    def __init__(self, problems: dict):
        self.problems = problems
        super().__init__(
            _("Nothing was saved: %(count)d booked sessions still need an answer.")
            % {"count": len(problems)},
            code="cover",
        )


def _replan_from(session: Session, user) -> None:
    """Re-plan ``session`` and the rest of its course from its own day (or the first day the
    previous session allows) at its own time; the planner passes over the days now closed or
    away."""
    session = Session.objects.select_related("course__patient__clinic", "course__therapist").get(
        pk=session.pk
    )
    if session.status != Session.PLANNED:
        return  # re-planned already, with an earlier session of its course
    clinic = session.course.patient.clinic
    move = move_for(session)
    start = local_start(clinic, session)
    if start is None:
        start = move.schedule.preferred_time
    move_rest(session=session, day=max(session.date, move.first_day()), start=start, user=user)


def _apply_answers(sessions, answers: dict, user, *, stand_ins: bool) -> None:
    problems = {}
    for session in sessions:
        # An earlier answer (re-planning a course) may have moved this session already.
        session = (
            Session.objects.select_related(
                "course__patient__clinic", "course__therapist", "therapist", "room"
            )
            .filter(pk=session.pk)
            .first()
        )
        if session is None or session.status != Session.PLANNED:
            continue
        answer = answers.get(session.pk)
        if answer is None:
            problems[session.pk] = [_("Choose what happens to this session.")]
            continue
        clinic = session.course.patient.clinic
        try:
            if answer.therapist_id is not None and stand_ins:
                if session.starts_at is None:
                    raise ValidationError(
                        _("This session has no time yet: move it to a time instead.")
                    )
                colleague = (
                    bookable_staff(clinic.pk).filter(is_active=True, pk=answer.therapist_id).first()
                )
                if colleague is None:
                    raise ValidationError(_("Choose a therapist of the patient's clinic."))
                move_session(
                    session=session,
                    day=session.date,
                    start=local_start(clinic, session),
                    therapist=colleague,
                    user=user,
                )
            elif answer.day is not None and answer.start is not None:
                move_session(session=session, day=answer.day, start=answer.start, user=user)
            elif answer.replan:
                _replan_from(session, user)
            else:
                raise ValidationError(_("Choose what happens to this session."))
        except MoveRefused as refused:
            problems[session.pk] = list(refused.reasons)
        except CourseRefused as refused:
            problems[session.pk] = list(refused.refusal.reasons)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            problems[session.pk] = messages
    if problems:
        raise CoverRefused(problems)


def record_absence_with_cover(
    *, therapist, start: date, end: date, reason: str, note: str = "", answers=None, user=None
) -> Absence:
    """Record an absence and, in the same transaction, give each session it reaches its answer
    (``answers``: session id → ``Answer``). Every affected session needs one, and every answer
    must pass the rules, or nothing is saved (``CoverRefused``)."""
    answers = answers or {}
    with transaction.atomic():
        booking.lock_the_book(therapist.clinic)
        absence = record_absence(
            therapist=therapist, start=start, end=end, reason=reason, note=note, covered=True
        )
        affected = _affected_by_absence(therapist, start, end)
        _apply_answers(affected, answers, user, stand_ins=True)
    return absence


def _close(clinic, day: date, reason: str) -> ClosedDate:
    if ClosedDate.objects.filter(clinic=clinic, date=day).exists():
        raise ValidationError(
            {"date": _("The clinic is already closed on %(date)s.") % {"date": date_format(day)}}
        )
    return ClosedDate.objects.create(clinic=clinic, date=day, reason=reason.strip()[:200])


def close_clinic(*, clinic, day: date, reason: str = "", answers=None, user=None) -> ClosedDate:
    """Close the clinic on ``day`` and move every session booked then by its answer (R18), in
    one transaction: all of them or nothing (``CoverRefused``)."""
    answers = answers or {}
    with transaction.atomic():
        booking.lock_the_book(clinic)
        closed = _close(clinic, day, reason)
        affected = _affected_by_closure(clinic, day)
        _apply_answers(affected, answers, user, stand_ins=False)
    return closed


def booked_with(therapist_id: int, first: date, last: date) -> int:
    """How many planned sessions ``therapist_id`` gives from ``first`` to ``last``: an absence
    over them is recorded only here, with an answer for each (``clinic.services``)."""
    return Session.objects.filter(
        therapist_id=therapist_id, status=Session.PLANNED, date__gte=first, date__lte=last
    ).count()


def booked_in_clinic(clinic, day: date) -> int:
    """How many planned sessions the clinic has on ``day`` (a closure in the admin)."""
    return Session.objects.filter(
        course__patient__clinic=clinic, status=Session.PLANNED, date=day
    ).count()
