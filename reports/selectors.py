"""The reports' figures: one named read query each, and the arithmetic on its rows.

Every figure is for one clinic, a period (first and last day, both included) and optionally a
template, a condition (with its stage, for knee arthrosis) and a therapist (``Filters``). Which
rows each figure counts:

- outcomes and course counts: the courses whose first session (``Course.starts_on``) falls in
  the period, of the filtered template, therapist (the course's) and patients with the condition;
- sessions: the sessions dated in the period of the same courses (whenever they began);
- the twice-a-year rule (R5): the completed courses whose next course fell due in the period
  (``planner.next_course_due`` of their first session), and today's due and overdue patients;
- the appointment book: the bookings that start in the period and the working hours in it, of
  every therapist who gives sessions (or the filtered one), and of every room; the template and
  condition filters do not apply to it (hours are not spent on a template).

Each query is one statement whatever the number of patients; the page makes a fixed number.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)

import planner
from clinic.models import Absence, ClosedDate, Room, WorkingHours
from clinic.selectors import bookable_staff
from patients.models import Condition, Patient
from protocols.booking import aware
from protocols.models import Course, ProtocolTemplate, Session

# Below this many courses with pain scored, an outcome is "too few courses to say": the mean of
# a handful of patients says more about them than about the template.
MIN_COURSES = 5
# A fall in pain of this many NPRS points or more is a clinically meaningful change (DOMAIN.md).
MEANINGFUL_CHANGE = 2
# Sessions that held their therapist's and room's time: planned, given, skipped on the day, and
# those the patient did not attend. Cancelled ones (by the clinic or the patient) and sessions
# on hold gave their time back.
BOOKED = (Session.PLANNED, Session.DONE, Session.SKIPPED, Session.NO_SHOW)
# The longest period a report covers (its hours are counted day by day).
LONGEST_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Filters:
    clinic_id: int
    start: date
    end: date
    template_id: int | None = None
    condition: str | None = None  # a Condition kind
    stage: int | None = None  # with knee arthrosis: 1, 2 or 3
    therapist_id: int | None = None

    def days(self):
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


def _courses(filters: Filters, prefix: str = "") -> Q:
    """The filtered courses (``prefix`` "course__" for sessions), period aside."""
    if prefix == "course__":  # a session keeps its patient's clinic
        q = Q(clinic_id=filters.clinic_id)
    else:
        q = Q(**{f"{prefix}patient__clinic_id": filters.clinic_id})
    if filters.template_id:
        q &= Q(**{f"{prefix}template_id": filters.template_id})
    if filters.therapist_id:
        q &= Q(**{f"{prefix}therapist_id": filters.therapist_id})
    if filters.condition:
        q &= Q(_has_condition(filters, f"{prefix}patient"))
    return q


def _has_condition(filters: Filters, patient: str) -> Exists:
    """The patient (``patient``: the outer query's path to them) has the filtered condition."""
    having = Condition.objects.filter(patient=OuterRef(patient), kind=filters.condition)
    if filters.stage:
        having = having.filter(stage=filters.stage)
    return Exists(having)


# --- The courses behind the outcomes, the course counts and the twice-a-year rule ------------


class CourseRow(NamedTuple):  # a tuple: a year of a busy clinic's courses is made fast
    template_id: int
    status: str
    starts_on: date
    # A completed course begun in the period: pain before its first session given, after its
    # last (None when not recorded, and for every other course).
    first_pain: int | None
    last_pain: int | None
    # A completed course whose next course fell due in the period: the first session of the
    # patient's next course that holds its dates (None when none has begun, and for the others).
    next_start: date | None


def _repeat_window(filters: Filters) -> tuple[date, date]:
    """(after, until): the completed courses whose first session is in (after, until] fell due
    for their next course in the period (R5)."""
    return (
        planner.latest_first_session_due_by(filters.start - timedelta(days=1)),
        planner.latest_first_session_due_by(filters.end),
    )


def course_rows(filters: Filters) -> list[CourseRow]:
    """The filtered courses begun in the period, or in the earlier window whose next course fell
    due in it (``_repeat_window``). One query: the scores and the next course are subqueries
    (a step each in the sessions' (course, number) and the courses' (patient, status, starts_on)
    indexes) run only for the courses whose figure needs them."""
    after, until = _repeat_window(filters)
    done = Session.objects.filter(course=OuterRef("pk"), status=Session.DONE)
    first = done.filter(pain_before__isnull=False).order_by("number").values("pain_before")[:1]
    last = done.filter(pain_after__isnull=False).order_by("-number").values("pain_after")[:1]
    following = (
        Course.objects.filter(
            patient=OuterRef("patient"),
            status__in=Course.HOLDING_DATES,
            starts_on__gt=OuterRef("starts_on"),
        )
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    completed_in = Q(status=Course.COMPLETED, starts_on__gte=filters.start)
    completed_due = Q(status=Course.COMPLETED, starts_on__gt=after, starts_on__lte=until)
    scored = {
        name: Case(When(completed_in, then=Subquery(query)), output_field=IntegerField())
        for name, query in (("first_pain", first), ("last_pain", last))
    }
    rows = (
        Course.objects.filter(
            _courses(filters),
            # Every status, named so that the (patient, status, starts_on) index finds the
            # courses: on SQLite, reading starts_on from the row instead walks past the
            # template's snapshot (some 20 KB a course) for every course of every patient.
            status__in=[status for status, _label in Course.STATUS_CHOICES],
            starts_on__gt=min(after, filters.start - timedelta(days=1)),
            starts_on__lte=filters.end,
        )
        .annotate(
            **scored,
            next_start=Case(
                When(completed_due, then=Subquery(following)), output_field=DateField()
            ),
        )
        .values_list("template_id", "status", "starts_on", "first_pain", "last_pain", "next_start")
        .order_by()
    )
    return list(map(CourseRow._make, rows))


# --- Outcomes per template ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The completed courses of one template: pain before the first session, after the last."""

    template_id: int
    courses: int  # completed
    scored: int  # of which both scores were recorded: the count behind every mean and share
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None  # after - before: negative when pain fell
    improved: int  # courses whose pain fell by MEANINGFUL_CHANGE points or more
    share_improved: float | None  # improved / scored, 0..1

    @property
    def enough(self) -> bool:
        return self.scored >= MIN_COURSES


def outcome_rows(filters: Filters, rows=None) -> list[tuple[int, int | None, int | None]]:
    """(template, pain before its first session, pain after its last) per completed course
    begun in the period (``rows``: the ``course_rows`` if already read).

    "First" and "last" are the first and last sessions given (done) with that score recorded."""
    if rows is None:
        rows = course_rows(filters)
    return [
        (row.template_id, row.first_pain, row.last_pain)
        for row in rows
        if row.status == Course.COMPLETED and filters.start <= row.starts_on <= filters.end
    ]


def outcomes(rows) -> list[Outcome]:
    """Group ``outcome_rows`` by template, most courses first."""
    by_template = defaultdict(list)
    for template_id, before, after in rows:
        by_template[template_id].append((before, after))
    result = []
    for template_id, pairs in by_template.items():
        scored = [(b, a) for b, a in pairs if b is not None and a is not None]
        n = len(scored)
        improved = sum(1 for b, a in scored if b - a >= MEANINGFUL_CHANGE)
        result.append(
            Outcome(
                template_id=template_id,
                courses=len(pairs),
                scored=n,
                mean_before=sum(b for b, _a in scored) / n if n else None,
                mean_after=sum(a for _b, a in scored) / n if n else None,
                mean_change=sum(a - b for b, a in scored) / n if n else None,
                improved=improved,
                share_improved=improved / n if n else None,
            )
        )
    return sorted(result, key=lambda o: (-o.courses, o.template_id))


# --- Adherence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adherence:
    sessions: dict[str, int]  # Session status -> sessions dated in the period
    skip_reasons: list[tuple[str, int]]  # why sessions were skipped, most frequent first
    courses: dict[str, int]  # Course status -> courses begun in the period


def adherence(filters: Filters, rows=None) -> Adherence:
    """Sessions dated in the period by status, and why skipped ones were; courses begun in the
    period by status (``rows``: the ``course_rows`` if already read). Two queries: the sessions
    by status from the sessions' (clinic, date, status) index alone, and the skipped ones by
    reason."""
    if rows is None:
        rows = course_rows(filters)
    dated = Session.objects.filter(_courses(filters, "course__")).filter(
        date__gte=filters.start, date__lte=filters.end
    )
    sessions = dict(dated.values_list("status").annotate(n=Count("*")).order_by())
    reasons = Counter()
    skipped = dated.filter(status=Session.SKIPPED).values_list("skip_reason")
    for reason, n in skipped.annotate(n=Count("*")).order_by():
        reasons[reason.strip()] += n
    courses = Counter(row.status for row in rows if row.starts_on >= filters.start)
    return Adherence(
        sessions=sessions,
        skip_reasons=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
        courses=dict(courses),
    )


# --- The twice-a-year rule (R5) -------------------------------------------------------------


@dataclass(frozen=True)
class Repeats:
    due: int  # completed courses whose next course fell due in the period
    in_time: int  # the next course began on or before the due date
    late: int  # it began after the due date
    overdue: int  # none has begun and the due date has passed
    not_yet: int  # none has begun and the due date is still to come (today or later)
    due_now: int  # today: patients due within planner.DUE_SOON_DAYS, none running
    overdue_now: int  # today: of those, the due date has passed

    @property
    def share_in_time(self) -> float | None:
        decided = self.in_time + self.late + self.overdue
        return self.in_time / decided if decided else None


def repeat_rows(filters: Filters, rows=None) -> list[tuple[date, date | None]]:
    """(first session, the next course's first session or None) of each completed course whose
    next course fell due in the period (``rows``: the ``course_rows`` if already read); the next
    course is any later one of the patient that holds its dates (not cancelled)."""
    if rows is None:
        rows = course_rows(filters)
    after, until = _repeat_window(filters)
    return [
        (row.starts_on, row.next_start)
        for row in rows
        if row.status == Course.COMPLETED and after < row.starts_on <= until
    ]


def due_today(filters: Filters, today: date) -> tuple[int, int]:
    """(due, overdue) patients today, as the day page lists them (R5,
    ``protocols.selectors.due_patients``): the latest completed course's next course due within
    planner.DUE_SOON_DAYS, or past due, and none running. The condition filter applies to the
    patients, the template and therapist to that latest course. One query, patient by patient:
    a step in the courses' (patient, status, starts_on) index for the latest first session (and,
    with a template or therapist chosen, one for that course's)."""
    horizon_first = planner.latest_first_session_due_by(planner.due_soon_horizon(today))
    overdue_first = planner.latest_first_session_due_by(today - timedelta(days=1))
    latest = Course.objects.filter(
        patient=OuterRef("pk"), status=Course.COMPLETED, starts_on__isnull=False
    ).order_by("-starts_on", "-pk")
    running = Course.objects.filter(patient=OuterRef("pk"), status__in=Course.RUNNING)
    patients = Patient.objects.filter(clinic_id=filters.clinic_id, archived=False)
    if filters.condition:
        patients = patients.filter(_has_condition(filters, "pk"))
    patients = patients.annotate(last_first=Subquery(latest.values("starts_on")[:1])).filter(
        ~Exists(running), last_first__lte=horizon_first
    )
    for name in ("template_id", "therapist_id"):
        if getattr(filters, name):
            patients = patients.annotate(**{f"latest_{name}": Subquery(latest.values(name)[:1])})
            patients = patients.filter(**{f"latest_{name}": getattr(filters, name)})
    counts = patients.aggregate(
        due=Count("pk"), overdue=Count("pk", filter=Q(last_first__lte=overdue_first))
    )
    return counts["due"], counts["overdue"]


def repeats(rows, today: date, now: tuple[int, int]) -> Repeats:
    counts = Counter()
    for first, next_start in rows:
        due = planner.next_course_due(first)
        if next_start is not None:
            counts["in_time" if next_start <= due else "late"] += 1
        else:
            counts["overdue" if due < today else "not_yet"] += 1
    return Repeats(
        due=len(rows),
        in_time=counts["in_time"],
        late=counts["late"],
        overdue=counts["overdue"],
        not_yet=counts["not_yet"],
        due_now=now[0],
        overdue_now=now[1],
    )


# --- The appointment book: booked against working hours -------------------------------------


@dataclass(frozen=True)
class Use:
    """One therapist's or room's hours in the period, in minutes."""

    key: int
    name: str
    booked: int
    available: int

    @property
    def share(self) -> float | None:
        return self.booked / self.available if self.available else None


@dataclass
class Utilisation:
    therapists: list[Use] = field(default_factory=list)
    rooms: list[Use] = field(default_factory=list)


class BookedMinutes(Func):
    """A booking's length in minutes, in the database's own date arithmetic (on SQLite,
    Django's datetime subtraction calls back into Python for every row)."""

    output_field = FloatField()

    def __init__(self):
        super().__init__(F("ends_at"), F("starts_at"))

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s)) * 1440.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(")

    def as_postgresql(self, compiler, connection, **extra):
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ")


def _minutes(value) -> int:
    return round(value) if value else 0


def staff_names(clinic_id) -> list[tuple[int, str, str, str]]:
    """(id, first name, last name, username) of the clinic's staff who give sessions."""
    staff = bookable_staff(clinic_id).order_by("last_name", "first_name", "pk")
    return list(staff.values_list("pk", "first_name", "last_name", "username"))


def utilisation(filters: Filters, clinic, staff=None) -> Utilisation:
    """Booked minutes (BOOKED sessions starting in the period) against working minutes (weekly
    hours on the clinic's open days, less absences) per therapist; per room, against the hours
    the clinic is staffed (the union of everyone's hours that day). Six queries: staff, hours,
    absences, closed days, rooms, and the bookings grouped by therapist and room (``staff``: the
    ``staff_names`` if already read, one query fewer)."""
    if staff is None:
        staff = staff_names(clinic.pk)
    hours = defaultdict(lambda: defaultdict(list))  # therapist -> weekday -> [(start, end)]
    for therapist_id, weekday, start, end in WorkingHours.objects.filter(
        therapist__clinic_id=clinic.pk
    ).values_list("therapist_id", "weekday", "start", "end"):
        hours[therapist_id][weekday].append((start, end))
    away = defaultdict(list)
    for therapist_id, first, last in Absence.objects.filter(
        therapist__clinic_id=clinic.pk, start__lte=filters.end, end__gte=filters.start
    ).values_list("therapist_id", "start", "end"):
        away[therapist_id].append((first, last))
    closed = set(
        ClosedDate.objects.filter(
            clinic_id=clinic.pk, date__gte=filters.start, date__lte=filters.end
        ).values_list("date", flat=True)
    )
    rooms = list(Room.objects.filter(clinic_id=clinic.pk).values_list("pk", "name", "active"))
    booked = (
        # By the clinic's staff: each one's bookings in the period from the (therapist,
        # starts_at) index, without reading the courses (a booking always has its therapist).
        Session.objects.filter(
            therapist__clinic_id=clinic.pk,
            status__in=BOOKED,
            starts_at__gte=aware(clinic, filters.start, 0),
            starts_at__lt=aware(clinic, filters.end + timedelta(days=1), 0),
        )
        .values_list("therapist_id", "room_id")
        .annotate(minutes=Sum(BookedMinutes()))
        .order_by()
    )
    by_therapist, by_room = Counter(), Counter()
    for therapist_id, room_id, minutes in booked:
        if filters.therapist_id and therapist_id != filters.therapist_id:
            continue
        by_therapist[therapist_id] += _minutes(minutes)
        by_room[room_id] += _minutes(minutes)

    # From each therapist's minutes per weekday and days away: a day's working and staffed
    # minutes depend only on its weekday and who is away.
    available = Counter()
    staffed = 0
    working = set(clinic.working_weekdays)
    counted = [pk for pk, *_names in staff]
    shown = {pk for pk in counted if not filters.therapist_id or pk == filters.therapist_id}
    per_weekday = {
        pk: {day: sum(end - start for start, end in hours[pk][day]) for day in range(7)}
        for pk in counted
    }
    days_away = defaultdict(set)
    for therapist_id, periods in away.items():
        for first, last in periods:
            day = max(first, filters.start)
            while day <= min(last, filters.end):
                days_away[therapist_id].add(day)
                day += timedelta(days=1)
    # The days by who is present: most days nobody is away, and each (weekday, present) needs
    # adding up once, times its number of days.
    anyone_away = set().union(*days_away.values())
    everyone = tuple(counted)
    alike = Counter()
    for day in filters.days():
        weekday = day.weekday()
        if weekday not in working or day in closed:
            continue
        if day in anyone_away:
            alike[weekday, tuple(pk for pk in counted if day not in days_away[pk])] += 1
        else:
            alike[weekday, everyone] += 1
    for (weekday, present), days in alike.items():
        for pk in present:
            available[pk] += per_weekday[pk][weekday] * days
        staffed += days * _union_minutes(
            interval for pk in present if pk in shown for interval in hours[pk][weekday]
        )

    therapists = [
        Use(pk, f"{first} {last}".strip() or username, by_therapist[pk], available[pk])
        for pk, first, last, username in staff
        if not filters.therapist_id or pk == filters.therapist_id
    ]
    used_rooms = [
        Use(pk, name, by_room[pk], staffed) for pk, name, active in rooms if active or by_room[pk]
    ]
    return Utilisation(therapists=therapists, rooms=used_rooms)


def _union_minutes(intervals) -> int:
    total, reach = 0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


# --- The whole report -----------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    filters: Filters
    templates: dict[int, ProtocolTemplate]
    outcomes: list[Outcome]
    adherence: Adherence
    repeats: Repeats
    utilisation: Utilisation


def report(filters: Filters, clinic, today: date, templates=None, staff=None) -> Report:
    """Every figure of the reports page (``templates``: the clinic's, by id, and ``staff``:
    ``staff_names``, if already read)."""
    if templates is None:
        templates = {t.pk: t for t in ProtocolTemplate.objects.filter(clinic_id=clinic.pk)}
    rows = course_rows(filters)
    return Report(
        filters=filters,
        templates=templates,
        outcomes=outcomes(outcome_rows(filters, rows)),
        adherence=adherence(filters, rows),
        repeats=repeats(repeat_rows(filters, rows), today, due_today(filters, today)),
        utilisation=utilisation(filters, clinic, staff),
    )
