"""Place a course's sessions in a therapist's real week: rule R17 of DOMAIN.md.

A ``Schedule`` on a ``PlanRequest`` holds the therapist's weekly hours, absences and bookings, the
rooms with theirs, the slot step, the buffer and the patient's preferred time; ``plan()`` then
gives every session a start, an end and a room, or refuses the course under R17.

Times are whole minutes since midnight, from 0 (00:00) to 1440 (24:00); every interval is
half-open, so 10:00–10:30 and 10:30–11:00 do not overlap. The semantics (issue 14):

- a booking lasts the session's minutes plus the buffer, rounded up to whole slots;
- a working day is a clinic working day on which the therapist has hours and is not absent;
- the candidates of a day start at each working interval's start, every slot step, as long as the
  booking ends within that interval; a candidate is free when no booking of the therapist that day
  overlaps it and, when there are rooms, one room has none (the first free room in order);
- the chosen time is the free candidate nearest the preferred time, of two equally near the
  earlier; with ``now`` (today, minutes), a candidate of today before it has passed and is skipped;
- session 1 is due on the requested start, each next one on the previous session's actual date
  plus the cadence; it takes the first working day with free time from there on, and a session
  with no free time on that day or the 59 after it refuses the course (R17).

Nothing here reads the clock or the database; the busy lists are indexed by day once, when the
schedule is built, and each day's answer for a booking length is remembered.
"""

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta

from planner import (
    Period,
    PlannedSession,
    PlanRequest,
    Reason,
    WorkingCalendar,
    _Block,
    _Course,
    gettext_noop,
    session_minutes,
)

SLOT_STEPS = (5, 10, 15, 20, 30, 60)
DEFAULT_SLOT_MINUTES = 15  # the clinic's slot step until the clinic stores its own
DEFAULT_BUFFER_MINUTES = 10  # the template's buffer until the template stores its own
SEARCH_DAYS = 60  # a session due on a day looks for free time on it and the 59 days after it
EARLIEST_START_YEARS = 2  # how far after the requested start ``earliest_start`` is looked for
DAY_MINUTES = 24 * 60

R17_NO_TIME = gettext_noop(
    "Session %(number)d finds no free time with the therapist %(therapist)s on any of the 60 days "
    "from %(due)s to %(last)s: choose another therapist or another time."
)
R17_NO_TIME_UNNAMED = gettext_noop(
    "Session %(number)d finds no free time with the therapist on any of the 60 days from %(due)s "
    "to %(last)s: choose another therapist or another time."
)
NOTE_TIME = gettext_noop(
    "Session %(number)d on %(date)s is at %(time)s, not at the preferred %(preferred)s: that was "
    "the nearest free time that day."
)
NOTE_DAY_ABSENT = gettext_noop(
    "Session %(number)d moves from %(due)s to %(date)s: the therapist is away."
)
NOTE_DAY_FULL = gettext_noop(
    "Session %(number)d moves from %(due)s to %(date)s: the therapist has no free time for it "
    "before then."
)
NOTE_DAY_NOT_WORKING = gettext_noop(
    "Session %(number)d moves from %(due)s to %(date)s: the therapist does not work on the days "
    "before then."
)


# --- Times -----------------------------------------------------------------------------------

_HH_MM = re.compile(r"([0-9]{2}):([0-9]{2})")


def parse_time(text: str) -> int:
    """Minutes since midnight of an "HH:MM" time from 00:00 to 24:00; ValueError otherwise."""
    match = _HH_MM.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a time (HH:MM).")
    minutes = int(match[1]) * 60 + int(match[2])
    if int(match[2]) > 59 or minutes > DAY_MINUTES:
        raise ValueError(f"{text!r} is not a time between 00:00 and 24:00.")
    return minutes


def format_time(minutes: int) -> str:
    """ "HH:MM" of minutes since midnight (1440 is "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def booking_minutes(minutes: int, buffer_minutes: int, slot_minutes: int) -> int:
    """R17: the massage minutes plus the buffer, rounded up to a whole number of slots."""
    return -(-(minutes + buffer_minutes) // slot_minutes) * slot_minutes


def _check_time(value, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= DAY_MINUTES:
        raise ValueError(
            f"{what}: {value!r} is not a time of day (whole minutes from 0 = 00:00 to "
            f"{DAY_MINUTES} = 24:00)."
        )


def _check_interval(start, end, what: str) -> None:
    _check_time(start, what)
    _check_time(end, what)
    if end <= start:
        raise ValueError(
            f"{what}: {format_time(start)}–{format_time(end)} ends at or before its start."
        )


# --- Input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    """A time already taken on one day: from ``start`` up to, not including, ``end``."""

    day: date
    start: int
    end: int

    def __post_init__(self):
        _check_interval(self.start, self.end, f"The booking on {self.day}")


@dataclass(frozen=True)
class Room:
    name: str
    busy: tuple[Booking, ...] = ()


# One day's bookings, merged and sorted: their starts and their ends.
_Spans = tuple[tuple[int, ...], tuple[int, ...]]
_NO_SPANS: _Spans = ((), ())


@dataclass
class _Index:
    week: tuple[tuple[tuple[int, int], ...], ...]  # the working intervals of weekdays 0..6
    therapist: dict[date, _Spans]
    rooms: tuple[tuple[str, dict[date, _Spans]], ...]
    slots: dict[tuple[date, int], tuple[int, str | None] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    """The therapist's week and bookings, the rooms, and how to book (R17).

    ``hours`` maps a weekday (0 = Monday … 6) to its working intervals (start, end) in minutes; a
    weekday not listed is not worked. ``rooms`` in the order they are offered; none: no room is
    needed. ``therapist`` is the name the R17 refusal gives.
    """

    hours: Mapping[int, Iterable[tuple[int, int]]] = field(hash=False)
    preferred_time: int
    absences: tuple[Period, ...] = ()
    busy: tuple[Booking, ...] = ()
    rooms: tuple[Room, ...] = ()
    slot_minutes: int = DEFAULT_SLOT_MINUTES
    buffer_minutes: int = DEFAULT_BUFFER_MINUTES
    therapist: str = ""
    # The present, (today, minutes since midnight): a time of today before it has passed and is
    # not offered. None: no time has passed (the command line's facts).
    now: tuple[date, int] | None = None
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        if self.slot_minutes not in SLOT_STEPS:
            steps = ", ".join(str(step) for step in SLOT_STEPS)
            raise ValueError(f"The slot step is one of {steps} minutes, not {self.slot_minutes!r}.")
        if (
            isinstance(self.buffer_minutes, bool)
            or not isinstance(self.buffer_minutes, int)
            or self.buffer_minutes < 0
        ):
            raise ValueError(
                f"The buffer is a whole number of minutes ≥ 0, not {self.buffer_minutes!r}."
            )
        _check_time(self.preferred_time, "The preferred time")
        hours = {}
        for weekday, intervals in self.hours.items():
            if isinstance(weekday, bool) or weekday not in range(7):
                raise ValueError(
                    f"Weekdays are numbered 0 (Monday) to 6 (Sunday), not {weekday!r}."
                )
            intervals = tuple(tuple(interval) for interval in intervals)
            for interval in intervals:
                if len(interval) != 2:
                    raise ValueError(f"Weekday {weekday}: hours are (start, end) pairs.")
                _check_interval(*interval, f"The hours of weekday {weekday}")
            intervals = tuple(sorted(intervals))
            for (start, end), (next_start, next_end) in pairwise(intervals):
                if next_start < end:
                    raise ValueError(
                        f"The hours of weekday {weekday} overlap: {format_time(start)}–"
                        f"{format_time(end)} and {format_time(next_start)}–{format_time(next_end)}."
                    )
            if intervals:
                hours[weekday] = intervals
        names = [room.name for room in self.rooms]
        if len(set(names)) < len(names):
            raise ValueError("Two rooms have the same name.")
        for name, value in [
            ("absences", self.absences),
            ("busy", self.busy),
            ("rooms", self.rooms),
        ]:
            object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "hours", hours)
        index = _Index(
            week=tuple(hours.get(weekday, ()) for weekday in range(7)),
            therapist=_by_day(self.busy),
            rooms=tuple((room.name, _by_day(room.busy)) for room in self.rooms),
        )
        object.__setattr__(self, "_index", index)

    # --- Days and times ----------------------------------------------------------------------

    def is_absent(self, day: date) -> bool:
        return any(absence.covers(day) for absence in self.absences)

    def is_working_day(self, calendar: WorkingCalendar, day: date) -> bool:
        """The clinic works, and the therapist has hours that weekday and is not absent."""
        return (
            calendar.is_working_day(day)
            and bool(self._index.week[day.weekday()])
            and not self.is_absent(day)
        )

    def candidates(self, day: date, length: int) -> list[int]:
        """Start times of a booking of ``length`` minutes in the therapist's hours on ``day``'s
        weekday: from each interval's start, every slot step, ending within the interval."""
        return [
            minute
            for start, end in self._index.week[day.weekday()]
            for minute in range(start, end - length + 1, self.slot_minutes)
        ]

    def free_time(self, day: date, length: int) -> tuple[int, str | None] | None:
        """The free candidate nearest the preferred time (the earlier of two equally near) and
        the first room free then (None without rooms); None when no candidate is free."""
        key = (day, length)
        slots = self._index.slots
        if key not in slots:
            slots[key] = self._free_time(day, length)
        return slots[key]

    def _free_time(self, day: date, length: int) -> tuple[int, str | None] | None:
        index = self._index
        therapist = index.therapist.get(day, _NO_SPANS)
        rooms = [(name, busy.get(day, _NO_SPANS)) for name, busy in index.rooms]
        preferred = self.preferred_time
        candidates = self.candidates(day, length)
        if self.now is not None and day == self.now[0]:
            candidates = [start for start in candidates if start >= self.now[1]]
        candidates = sorted(candidates, key=lambda t: (abs(t - preferred), t))
        for start in candidates:
            end = start + length
            if not _is_free(therapist, start, end):
                continue
            if not rooms:
                return start, None
            for name, busy in rooms:
                if _is_free(busy, start, end):
                    return start, name
        return None

    def first_free_day(
        self, calendar: WorkingCalendar, first: date, last: date, length: int
    ) -> tuple[date, int, str | None] | None:
        """The first working day from ``first`` to ``last`` with free time for ``length``."""
        day = first
        while day <= last:
            if self.is_working_day(calendar, day):
                found = self.free_time(day, length)
                if found is not None:
                    return day, *found
            day += timedelta(days=1)
        return None

    def search_limit(self, requested_start: date) -> date:
        """The last first-session date ``earliest_start`` may offer."""
        return requested_start + relativedelta(years=EARLIEST_START_YEARS)

    # --- Placing a course --------------------------------------------------------------------

    def place(self, request: PlanRequest, start: date, count: int, cadence: int) -> _Course:
        """The course from ``start`` with every session at a free time, or the R17 block of the
        first session that finds none within ``SEARCH_DAYS`` of the day it is due."""
        calendar = request.calendar
        sessions: list[PlannedSession] = []
        notes: list[Reason] = []
        due = start
        for number in range(1, count + 1):
            minutes = session_minutes(request.template, number)
            length = booking_minutes(minutes, self.buffer_minutes, self.slot_minutes)
            last = due + timedelta(days=SEARCH_DAYS - 1)
            found = self.first_free_day(calendar, due, last, length)
            if found is None:
                block = self._no_time(request, number, due, length, sessions, cadence)
                return _Course(block=block)
            day, begin, room = found
            sessions.append(PlannedSession(number, day, minutes, begin, begin + length, room))
            notes += self._notes(calendar, number, due, day, begin)
            due = day + timedelta(days=cadence)
        return _Course(tuple(sessions), tuple(notes))

    def _notes(self, calendar, number: int, due: date, day: date, start: int) -> list[Reason]:
        """Why a session is not on the day it would have had without a schedule (the first clinic
        working day on or after the day it is due): of the days it passed over, one the therapist
        was away, else one with no free time, else only days the therapist does not work; and
        why it is not at the preferred time."""
        notes = []
        expected = calendar.first_working_day_on_or_after(due)
        if day != expected:
            passed = [expected + timedelta(days=n) for n in range((day - expected).days)]
            if any(self.is_absent(other) for other in passed):
                template = NOTE_DAY_ABSENT
            elif any(self.is_working_day(calendar, other) for other in passed):
                template = NOTE_DAY_FULL
            else:
                template = NOTE_DAY_NOT_WORKING
            params = {"number": number, "date": day.isoformat(), "due": expected.isoformat()}
            notes.append(Reason("R17", template, params))
        if start != self.preferred_time:
            params = {
                "number": number,
                "date": day.isoformat(),
                "time": format_time(start),
                "preferred": format_time(self.preferred_time),
            }
            notes.append(Reason("R17", NOTE_TIME, params))
        return notes

    def _no_time(self, request, number, due, length, sessions, cadence) -> _Block:
        """The R17 refusal of session ``number``, and the first session date worth trying next.

        A later start never moves a session earlier, and a day's free time for this session
        depends only on its length, so this session can land no earlier than the first day after
        its 60 days that has free time for it (``found``). Each session falls at most
        ``cadence + 59`` days after the one before, so session 1 of a course that could be
        accepted is at least ``reach`` days before that; and every start up to the current first
        session gives the same course again. None: no such day before the search limit.
        """
        last = due + timedelta(days=SEARCH_DAYS - 1)
        params = {"number": number, "due": due.isoformat(), "last": last.isoformat()}
        template = R17_NO_TIME_UNNAMED
        if self.therapist:
            template, params["therapist"] = R17_NO_TIME, self.therapist
        reach = timedelta(days=(number - 1) * (cadence + SEARCH_DAYS - 1))
        stop = self.search_limit(request.start) + reach
        found = self.first_free_day(request.calendar, last + timedelta(days=1), stop, length)
        retry_from = None
        if found is not None:
            retry_from = found[0] - reach
            if sessions:
                retry_from = max(retry_from, sessions[0].day + timedelta(days=1))
        return _Block(Reason("R17", template, params), retry_from)


def _by_day(bookings: Iterable[Booking]) -> dict[date, _Spans]:
    """Bookings by day, each day's merged into sorted, disjoint spans."""
    days: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for booking in bookings:
        days[booking.day].append((booking.start, booking.end))
    index = {}
    for day, spans in days.items():
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        index[day] = (tuple(s for s, _ in merged), tuple(e for _, e in merged))
    return index


def _is_free(spans: _Spans, start: int, end: int) -> bool:
    """No span overlaps [start, end): the first span ending after ``start`` begins at or after
    ``end``."""
    starts, ends = spans
    i = bisect_right(ends, start)
    return i == len(starts) or starts[i] >= end
