"""Moving one session by hand: rule R18 of DOMAIN.md.

A ``Move`` describes the session (its number and minutes), its neighbours in the course (the days
of the sessions given or planned just before and just after it), the course's cadence, the
patient's facts and the therapist's week (a ``PlanRequest`` with a ``Schedule`` that no longer
holds this session's own booking), and the present moment. ``check`` says whether the session may
be at a day and time, naming every rule that forbids it; ``offers`` lists the nearest times that
keep every rule.

The semantics (issue 15):

- the time has not passed (R18);
- after the previous session and before the next one; in a course whose sessions are two or more
  days apart, at least one free day from each neighbour (R18);
- the clinic is open, the therapist works that weekday and is not away, the whole booking (the
  session's minutes plus the buffer, rounded up to slots; R1 keeps the minutes of its number) lies
  within one of the therapist's working intervals, no other booking of theirs overlaps it, and a
  room is free if the clinic has rooms (R17);
- no exacerbation (R6; R7 until a month after an inflammatory-arthritis flare), no blocking
  contraindication (R9) on that day, not in the early post-operative period (R8), and the course
  keeps its break from the patient's other courses (R4).

Nothing here reads the clock or the database.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from planner import (
    ENDOPROSTHETICS,
    R8_POSTOP,
    PlanRequest,
    Reason,
    _course_blocks,
    _windows,
    gettext_noop,
)
from planner.schedule import _NO_SPANS, Schedule, _is_free, booking_minutes, format_time

SEARCH_DAYS = 60  # offers are looked for on the session's day and up to 60 days either side
OFFERS = 6  # how many offers a move page shows
OFFERS_PER_DAY = 2  # at most this many of them on one day

R18_PAST = gettext_noop("%(date)s at %(time)s has already passed: choose a later time.")
R18_AFTER_PREVIOUS = gettext_noop(
    "Session %(number)d must come after session %(other)d on %(other_date)s."
)
R18_BEFORE_NEXT = gettext_noop(
    "Session %(number)d must come before session %(other)d on %(other_date)s."
)
R18_GAP_PREVIOUS = gettext_noop(
    "Sessions of this course are at least every other day: session %(number)d needs a free day "
    "after session %(other)d on %(other_date)s, so %(date)s at the earliest."
)
R18_GAP_NEXT = gettext_noop(
    "Sessions of this course are at least every other day: session %(number)d needs a free day "
    "before session %(other)d on %(other_date)s, so %(date)s at the latest."
)
R17_CLOSED = gettext_noop("The clinic is closed on %(date)s.")
R17_DAY_OFF = gettext_noop("%(therapist)s does not work on the weekday of %(date)s.")
R17_AWAY = gettext_noop("%(therapist)s is away on %(date)s.")
R17_OUTSIDE_HOURS = gettext_noop(
    "A booking of %(length)d minutes from %(time)s ends at %(end)s, outside %(therapist)s's hours "
    "on %(date)s (%(hours)s)."
)
R17_THERAPIST_BUSY = gettext_noop(
    "%(therapist)s already has a booking between %(time)s and %(end)s on %(date)s."
)
R17_NO_ROOM = gettext_noop("No room is free between %(time)s and %(end)s on %(date)s.")
R6_ON_DAY = gettext_noop(
    "An exacerbation of %(condition)s is recorded from %(start)s: no session may take place "
    "while it lasts."
)
R7_ON_DAY = gettext_noop(
    "A flare-up of inflammatory arthritis is recorded from %(start)s: massage may start only one "
    "calendar month after it ends."
)
R9_ON_DAY = gettext_noop(
    "%(name)s is recorded from %(start)s. It rules out massage while it lasts."
)
# The rules a reason names that are about the patient's health rather than the calendar or the
# course's spacing: the front desk is told only that the course's clinical rules do not allow
# the time, and to ask the therapist.
CLINICAL_RULES = frozenset({"R4", "R6", "R7", "R8", "R9"})


@dataclass(frozen=True)
class Neighbour:
    number: int
    day: date


@dataclass(frozen=True)
class Move:
    """One session to be moved, with everything its rules need.

    ``request.schedule`` is the week of the therapist who is to give it (a stand-in's, when one
    is chosen), without this session's own booking. ``course_days``: the days of the course's
    other sessions given or planned (R4). ``today`` and ``now`` (minutes since the clinic's
    midnight) are the present: earlier times have passed.
    """

    request: PlanRequest
    number: int
    minutes: int
    cadence: int
    previous: Neighbour | None = None
    next: Neighbour | None = None
    course_days: tuple[date, ...] = ()
    today: date = date.min
    now: int = 0

    def __post_init__(self):
        if self.request.schedule is None:
            raise ValueError("Moving a session needs the therapist's schedule.")
        if self.cadence < 1:
            raise ValueError("Sessions must be at least one day apart.")

    @property
    def schedule(self) -> Schedule:
        return self.request.schedule

    @property
    def length(self) -> int:
        schedule = self.schedule
        return booking_minutes(self.minutes, schedule.buffer_minutes, schedule.slot_minutes)

    @property
    def gap(self) -> int:
        """Days from each neighbour: 1 in a daily course, 2 (a free day) when sessions are at
        least every other day."""
        return min(self.cadence, 2)

    def first_day(self) -> date:
        """The first day the session may be on (the present, the previous session, R18)."""
        first = self.today
        if self.previous is not None:
            first = max(first, self.previous.day + timedelta(days=self.gap))
        return first

    def last_day(self) -> date | None:
        return None if self.next is None else self.next.day - timedelta(days=self.gap)


@dataclass(frozen=True)
class Verdict:
    """Whether the session may be at ``day``/``start``: no ``reasons`` means it may, in
    ``room`` (None without rooms) until ``end``."""

    day: date
    start: int
    end: int
    reasons: tuple[Reason, ...]
    room: str | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons


def _iso(day: date) -> str:
    return day.isoformat()


def _order_reasons(move: Move, day: date) -> list[Reason]:
    reasons = []
    gap = timedelta(days=move.gap)
    for neighbour, after in ((move.previous, True), (move.next, False)):
        if neighbour is None:
            continue
        params = {
            "number": move.number,
            "other": neighbour.number,
            "other_date": _iso(neighbour.day),
        }
        if after and day <= neighbour.day:
            reasons.append(Reason("R18", R18_AFTER_PREVIOUS, params))
        elif not after and day >= neighbour.day:
            reasons.append(Reason("R18", R18_BEFORE_NEXT, params))
        elif after and day < neighbour.day + gap:
            params["date"] = _iso(neighbour.day + gap)
            reasons.append(Reason("R18", R18_GAP_PREVIOUS, params))
        elif not after and day > neighbour.day - gap:
            params["date"] = _iso(neighbour.day - gap)
            reasons.append(Reason("R18", R18_GAP_NEXT, params))
    return reasons


def _health_reasons(move: Move, day: date) -> list[Reason]:
    """R6, R7, R9 on the day; R8 before the post-operative wait ends; R4 with the new dates."""
    request = move.request
    reasons = []
    on_day = {"R6": R6_ON_DAY, "R7": R7_ON_DAY, "R9": R9_ON_DAY}
    for window in _windows(request):
        if window.start <= day and (window.stop is None or day < window.stop):
            reasons.append(Reason(window.rule, on_day[window.rule], dict(window.params)))
    days = request.template.postop_days
    for condition in request.conditions:
        if condition.kind != ENDOPROSTHETICS or condition.surgery_date is None:
            continue
        allowed_from = condition.surgery_date + timedelta(days=days)
        if day < allowed_from:
            params = {
                "surgery": _iso(condition.surgery_date),
                "days": days,
                "date": _iso(request.calendar.first_working_day_on_or_after(allowed_from)),
                "first": _iso(day),
            }
            reasons.append(Reason("R8", R8_POSTOP, params))
    if request.other_courses:
        dates = sorted([*move.course_days, day])
        reasons += [block.reason for block in _course_blocks(request, dates)]
    return reasons


def _day_reasons(move: Move, day: date) -> list[Reason]:
    """R17 for the whole day: the clinic is open, the therapist works and is not away."""
    schedule = move.schedule
    name = schedule.therapist
    if not move.request.calendar.is_working_day(day):
        return [Reason("R17", R17_CLOSED, {"date": _iso(day)})]
    if schedule.is_absent(day):
        return [Reason("R17", R17_AWAY, {"therapist": name, "date": _iso(day)})]
    if not schedule._index.week[day.weekday()]:
        return [Reason("R17", R17_DAY_OFF, {"therapist": name, "date": _iso(day)})]
    return []


def _time_reasons(move: Move, day: date, start: int) -> tuple[list[Reason], str | None]:
    """R17 at the time: within the hours, the therapist free, a room free."""
    schedule = move.schedule
    index = schedule._index
    end = start + move.length
    params = {
        "therapist": schedule.therapist,
        "date": _iso(day),
        "time": format_time(start),
        "end": format_time(min(end, 24 * 60)),
        "length": move.length,
    }
    intervals = index.week[day.weekday()]
    if not any(first <= start and end <= last for first, last in intervals):
        hours = ", ".join(f"{format_time(a)}–{format_time(b)}" for a, b in intervals)
        return [Reason("R17", R17_OUTSIDE_HOURS, {**params, "hours": hours})], None
    if not _is_free(index.therapist.get(day, _NO_SPANS), start, end):
        return [Reason("R17", R17_THERAPIST_BUSY, params)], None
    if not index.rooms:
        return [], None
    for name, busy in index.rooms:
        if _is_free(busy.get(day, _NO_SPANS), start, end):
            return [], name
    return [Reason("R17", R17_NO_ROOM, params)], None


def check(move: Move, day: date, start: int) -> Verdict:
    """May the session be at ``start`` (minutes since midnight) on ``day``? Every reason why
    not, the calendar's and the course's together."""
    if not 0 <= start < 24 * 60:
        raise ValueError(f"{start!r} is not a time of day in minutes.")
    reasons = []
    if day < move.today or (day == move.today and start < move.now):
        reasons.append(Reason("R18", R18_PAST, {"date": _iso(day), "time": format_time(start)}))
    reasons += _order_reasons(move, day)
    reasons += _health_reasons(move, day)
    room = None
    day_reasons = _day_reasons(move, day)
    if day_reasons:
        reasons += day_reasons
    else:
        time_reasons, room = _time_reasons(move, day, start)
        reasons += time_reasons
    reasons.sort(key=lambda reason: int(reason.rule[1:]))
    return Verdict(day, start, start + move.length, tuple(reasons), room)


def _days_by_nearness(move: Move, around: date) -> list[date]:
    """The days an offer may fall on, nearest to ``around`` first (earlier of two equally
    near): the session's own window between its neighbours and the present, at most
    ``SEARCH_DAYS`` either side."""
    first = max(move.first_day(), around - timedelta(days=SEARCH_DAYS))
    last = around + timedelta(days=SEARCH_DAYS)
    if (bound := move.last_day()) is not None:
        last = min(last, bound)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return sorted(days, key=lambda day: (abs((day - around).days), day))


def offers(
    move: Move, around: date, at: int, limit: int = OFFERS, skip: tuple | None = None
) -> list[Verdict]:
    """The nearest times that keep every rule, nearest first: days nearest ``around`` first (the
    earlier of two equally near), on each the free times nearest ``at``; at most
    ``OFFERS_PER_DAY`` a day while other days have some, ``limit`` in all. ``skip``: a
    ``(day, start)`` not to offer (where the session already is)."""
    by_day: list[list[Verdict]] = []
    for day in _days_by_nearness(move, around):
        if _day_reasons(move, day) or _health_reasons(move, day):
            continue
        starts = sorted(move.schedule.candidates(day, move.length), key=lambda t: (abs(t - at), t))
        allowed = []
        for start in starts:
            if skip == (day, start):
                continue
            verdict = check(move, day, start)
            if verdict.ok:
                allowed.append(verdict)
                if len(allowed) == limit:
                    break
        if allowed:
            by_day.append(allowed)
        if sum(min(len(times), OFFERS_PER_DAY) for times in by_day) >= limit:
            break
    found = [verdict for times in by_day for verdict in times[:OFFERS_PER_DAY]]
    rest = [verdict for times in by_day for verdict in times[OFFERS_PER_DAY:]]
    return (found + rest)[:limit]
