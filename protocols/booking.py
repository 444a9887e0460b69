"""Appointments (R17): the clinic's time as the planner sees it, and no double booking.

``schedule_for`` reads a therapist's weekly hours, absences and bookings and the clinic's rooms
with theirs, for the window a course may use only (from the ``(therapist, starts_at)`` and
``(room, starts_at)`` indexes), and gives the planner its ``Schedule``. ``book`` turns the times
the planner chose into aware datetimes in the clinic's zone, and ``check_free`` refuses a booking
that overlaps a live one (planned or done) of the same therapist or room: on PostgreSQL the
exclusion constraints of migration 0016 make that impossible; on SQLite the check runs inside
the write transaction (IMMEDIATE, so two bookings are checked one after the other).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import planner
from clinic.models import Absence, Clinic, Room, WorkingHours
from planner import schedule as scheduling
from protocols.models import Session

# Sessions that hold their time: planned ones and those given (R17).
LIVE = (Session.PLANNED, Session.DONE)
# How far ahead a course may reach while the planner looks for its time and earliest start.
WINDOW = timedelta(days=366 * scheduling.EARLIEST_START_YEARS + 400)
# A booking lies within one local day (``appointment``): at most 25 hours, on the day the clocks
# go back. A booking that overlaps a moment started less than this before it.
LONGEST_BOOKING = timedelta(hours=25)


def zone(clinic) -> ZoneInfo:
    return ZoneInfo(clinic.time_zone)


def aware(clinic, day: date, minute: int) -> datetime:
    """The moment ``minute`` minutes after midnight of ``day`` in the clinic's zone."""
    # Python adds a timedelta to an aware datetime on the wall clock: 09:00 stays 09:00 on the
    # days the clocks change, and 24:00 is the next midnight.
    return datetime.combine(day, time(), tzinfo=zone(clinic)) + timedelta(minutes=minute)


def local_minutes(clinic, moment: datetime) -> tuple[date, int]:
    """The clinic-local day and minutes since its midnight of an aware ``moment``."""
    local = moment.astimezone(zone(clinic))
    return local.date(), local.hour * 60 + local.minute


def _booking(clinic, starts_at: datetime, ends_at: datetime) -> scheduling.Booking:
    day, start = local_minutes(clinic, starts_at)
    end_day, end = local_minutes(clinic, ends_at)
    if end_day != day:  # a booking past midnight takes the rest of its day
        end = scheduling.DAY_MINUTES
    return scheduling.Booking(day=day, start=start, end=max(end, start + 1))


def weekly_hours(therapist) -> dict[int, list[tuple[int, int]]]:
    hours: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in WorkingHours.objects.filter(therapist=therapist).values_list(
        "weekday", "start", "end"
    ):
        hours.setdefault(weekday, []).append((start, end))
    return hours


def first_hour(therapist) -> int | None:
    """The earliest start of the therapist's week (the default preferred time)."""
    return (
        WorkingHours.objects.filter(therapist=therapist)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )


def _live_bookings(
    queryset, clinic, start: date, *, exclude_course=None, exclude_session=None, until=None
):
    since = aware(clinic, start, 0) - timedelta(days=1)
    last = since + WINDOW if until is None else aware(clinic, until, 0) + timedelta(days=1)
    rows = queryset.filter(status__in=LIVE, starts_at__gte=since, starts_at__lt=last)
    if exclude_course is not None:
        rows = rows.exclude(course=exclude_course)
    if exclude_session is not None:
        rows = rows.exclude(pk=exclude_session.pk)
    return rows


def schedule_for(
    *,
    clinic,
    therapist,
    hours: dict,
    start: date,
    preferred_time: int,
    buffer_minutes: int,
    exclude_course=None,
    exclude_session=None,
    until: date | None = None,
    skip_past: bool = False,
) -> scheduling.Schedule:
    """The planner's view of ``therapist``'s time from ``start`` on (R17), given their weekly
    ``hours``: a query each for absences, the therapist's bookings, rooms, rooms' bookings.

    ``until``: the last day anything will be booked on (a move), so only those days are read.
    ``exclude_session``: the session being moved, whose own time is not in its way.
    ``skip_past``: today's times before now are not booked (re-planning what is still to come; a
    new course may be entered after the fact, so it keeps them).
    """
    absences = Absence.objects.filter(therapist=therapist, end__gte=start)
    if until is not None:
        absences = absences.filter(start__lte=until)
    absences = absences.values_list("start", "end")
    window = {"exclude_course": exclude_course, "exclude_session": exclude_session, "until": until}
    busy = _live_bookings(
        Session.objects.filter(therapist=therapist), clinic, start, **window
    ).values_list("starts_at", "ends_at")
    rooms = list(Room.objects.filter(clinic=clinic, active=True).order_by("order", "pk"))
    room_busy: dict[int, list] = {room.pk: [] for room in rooms}
    if rooms:
        taken = _live_bookings(
            Session.objects.filter(room__in=rooms), clinic, start, **window
        ).values_list("room_id", "starts_at", "ends_at")
        for room_id, starts_at, ends_at in taken:
            room_busy[room_id].append(_booking(clinic, starts_at, ends_at))
    return scheduling.Schedule(
        now=local_minutes(clinic, timezone.now()) if skip_past else None,
        hours=hours,
        preferred_time=preferred_time,
        absences=tuple(planner.Period(first, last) for first, last in absences),
        busy=tuple(_booking(clinic, s, e) for s, e in busy),
        rooms=tuple(scheduling.Room(room.name, tuple(room_busy[room.pk])) for room in rooms),
        slot_minutes=clinic.slot_minutes,
        buffer_minutes=buffer_minutes,
        therapist=therapist.get_full_name() or therapist.get_username(),
    )


def room_named(clinic, name: str | None):
    if name is None:
        return None
    return Room.objects.get(clinic=clinic, name=name)


# --- No double booking ----------------------------------------------------------------------


class DoubleBooked(ValidationError):
    """A booking overlaps another live booking of the same therapist or room."""


def _clash_message(clinic, clash: Session, *, room: bool) -> str:
    local = clash.starts_at.astimezone(zone(clinic))
    values = {
        "date": date_format(local.date(), "SHORT_DATE_FORMAT"),
        "time": time_format(local.time(), "H:i"),
    }
    if room:
        message = _("The room is already booked on %(date)s at %(time)s: choose another time.")
    else:
        message = _(
            "The therapist already has a booking on %(date)s at %(time)s: choose another time."
        )
    return message % values


def check_free(clinic, sessions, *, ignore=()) -> None:
    """Refuse ``sessions`` (with times) that overlap a live booking of their therapist or room.

    Run inside the transaction that saves them. ``ignore``: session ids being rebooked.
    """
    booked = [s for s in sessions if s.starts_at is not None and s.status in LIVE]
    if not booked:
        return
    first = min(s.starts_at for s in booked)
    last = max(s.ends_at for s in booked)
    therapists = {s.therapist_id for s in booked if s.therapist_id}
    rooms = {s.room_id for s in booked if s.room_id}
    # Bounded on both sides, so the indexes give only these days, not every earlier booking.
    since = first - LONGEST_BOOKING
    others = list(
        Session.objects.filter(status__in=LIVE, starts_at__lt=last, ends_at__gt=first)
        .filter(starts_at__gt=since)
        .filter(Q(therapist_id__in=therapists) | Q(room_id__in=rooms))
        .exclude(pk__in=[s.pk for s in booked if s.pk] + list(ignore))
        .only("starts_at", "ends_at", "therapist_id", "room_id")
    )
    for session in booked:
        for other in others:
            if other.starts_at < session.ends_at and session.starts_at < other.ends_at:
                if other.therapist_id == session.therapist_id:
                    raise DoubleBooked(_clash_message(clinic, other, room=False))
                if session.room_id and other.room_id == session.room_id:
                    raise DoubleBooked(_clash_message(clinic, other, room=True))


# --- Times of a course ----------------------------------------------------------------------


def usual_time(sessions) -> int | None:
    """The clinic-local start of the first of ``sessions`` (a queryset) that has a time."""
    row = (
        sessions.filter(starts_at__isnull=False)
        .select_related("course__patient__clinic")
        .order_by("date", "number")
        .first()
    )
    if row is None:
        return None
    return local_minutes(row.course.patient.clinic, row.starts_at)[1]


def patients_time(patient) -> int | None:
    """The time of the patient's last booked session (their usual time), or None."""
    row = (
        Session.objects.filter(course__patient=patient, status__in=LIVE, starts_at__isnull=False)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return None if row is None else local_minutes(patient.clinic, row)[1]


def default_time(patient, therapist) -> int | None:
    """The patient's last course's time, else the therapist's first hour (the planning form)."""
    time_of_last = patients_time(patient)
    return time_of_last if time_of_last is not None else first_hour(therapist)


def appointment(clinic, planned, rooms: dict) -> dict:
    """The Session fields of a planned session with a time (``planned.start`` not None)."""
    if planned.start is None:
        return {"starts_at": None, "ends_at": None, "room": None}
    return {
        "starts_at": aware(clinic, planned.day, planned.start),
        "ends_at": aware(clinic, planned.day, planned.end),
        "room": rooms.get(planned.room),
    }


def rooms_by_name(clinic) -> dict:
    return {room.name: room for room in Room.objects.filter(clinic=clinic)}


def lock_the_book(clinic) -> None:
    """One booking of a clinic at a time: the clinic's row is locked until the transaction ends
    (PostgreSQL; SQLite's IMMEDIATE transactions already take turns). A second planner reads the
    first one's bookings before it chooses, so both courses get times and neither is refused."""
    list(Clinic.objects.select_for_update().filter(pk=clinic.pk).values_list("pk", flat=True))


TAKEN_MEANWHILE = gettext_lazy(
    "This time was booked by someone else a moment ago; nothing was saved. Plan again to choose "
    "another time."
)


def save_bookings(clinic, rows, *, create: bool = False, fields=()) -> None:
    """Insert (``create``) or update ``rows`` after checking that none is double-booked.

    On PostgreSQL the exclusion constraints are the last word: a clash the check could not see
    (a booking made outside ``lock_the_book``) ends as the same clear refusal. Each new session
    keeps its patient's clinic (``clinic``); on PostgreSQL a trigger also refuses any other
    (migration 0019), on SQLite this check is the guard.
    """
    if create and any(row.clinic_id != clinic.pk for row in rows):
        raise ValueError("a session belongs to the clinic of its patient")
    check_free(clinic, rows)
    try:
        with transaction.atomic():
            if create:
                Session.objects.bulk_create(rows)
            else:
                Session.objects.bulk_update(rows, list(fields))
    except IntegrityError as error:
        if "no_overlap" not in str(error):
            raise
        raise DoubleBooked(str(TAKEN_MEANWHILE)) from None
