"""Plan a massage course from a protocol template: rules R1–R11 of DOMAIN.md (and R17, placing
the sessions at times, with a ``planner.schedule.Schedule``).

A pure module: no Django imports, frozen dataclasses in and out. ``plan()`` returns either a
``Plan`` (sessions with dates and minutes, R10 warnings, the dates of the next course) or a
``Refusal`` that names every rule that blocks the request and, where one exists, the earliest
date on which the same course could start.

Messages are untranslated templates marked with ``gettext_noop`` so that ``makemessages`` finds
them; the Django layer translates ``Reason.template`` and fills in ``Reason.params``. Dates in
params are ISO strings; a ``condition`` param is one of ``CONDITION_LABELS`` (also marked).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

if TYPE_CHECKING:  # planner.schedule builds on this module; plan() only calls its methods
    from planner.schedule import Schedule


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (Django's makemessages finds it)."""
    return message


KNEE_ARTHROSIS = "knee_arthrosis"
ENDOPROSTHETICS = "endoprosthetics"
SCIATICA = "sciatica"
INFLAMMATORY_ARTHRITIS = "inflammatory_arthritis"
CONDITION_KINDS = (KNEE_ARTHROSIS, ENDOPROSTHETICS, SCIATICA, INFLAMMATORY_ARTHRITIS)
CONDITION_LABELS = {
    KNEE_ARTHROSIS: gettext_noop("knee arthrosis"),
    ENDOPROSTHETICS: gettext_noop("joint replacement (endoprosthetics)"),
    SCIATICA: gettext_noop("sciatica"),
    INFLAMMATORY_ARTHRITIS: gettext_noop("inflammatory arthritis"),
}
KNEE_ARTHROSIS_STAGES = (1, 2, 3)

BLOCKS = "blocks"
WARNS = "warns"
SEVERITIES = (BLOCKS, WARNS)

COURSE_DUE_MONTHS = 6  # R5: the next course is due within six months of this one's start.
DUE_SOON_DAYS = 14  # R5: a patient is listed as due this many days before the due date.


# --- Input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Every day from ``start`` to ``end`` inclusive; ``end=None`` means every day from start on."""

    start: date
    end: date | None = None

    def __post_init__(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"A period cannot end ({self.end}) before it starts ({self.start}).")

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class WorkingCalendar:
    working_weekdays: frozenset[int] = frozenset(range(7))  # 0 = Monday … 6 = Sunday
    closed_dates: frozenset[date] = frozenset()

    def __post_init__(self):
        if not self.working_weekdays:
            raise ValueError("A working calendar needs at least one working weekday.")
        if not self.working_weekdays <= frozenset(range(7)):
            raise ValueError("Working weekdays are numbered 0 (Monday) to 6 (Sunday).")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.closed_dates

    def first_working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@dataclass(frozen=True)
class TemplateRules:
    slug: str
    name: str
    conditions: frozenset[str]  # condition kinds the template applies to
    stages: frozenset[int] = frozenset()  # knee-arthrosis stages it applies to; empty = any
    start_minutes: int = 7
    step_minutes: int = 1
    target_minutes: int = 15
    min_sessions: int = 15
    max_sessions: int = 20
    default_sessions: int = 15
    cadence_days: int = 1
    break_months: int = 1
    postop_days: int = 21
    knee_sparing: bool = False


@dataclass(frozen=True)
class Condition:
    kind: str  # one of CONDITION_KINDS
    stage: int | None = None  # knee arthrosis: 1..3
    side: str | None = None  # "left" | "right" | "both"
    joint: str | None = None  # endoprosthetics: "knee" | "hip"
    surgery_date: date | None = None
    knee_tender: bool = False  # knee arthrosis: the knee is painful on touch (R11)


@dataclass(frozen=True)
class Exacerbation:
    condition: str  # condition kind
    period: Period


@dataclass(frozen=True)
class Contraindication:
    code: str
    name: str
    severity: str  # BLOCKS or WARNS
    period: Period
    advice: str = ""  # patient-facing text, appended to R10 warnings when present
    staff: str = ""  # the staff-facing hint of an R10 warning ("press lightly, watch for bruises")
    # The name, advice and staff hint in other languages, e.g. {"name_ru": ..., "advice_ru": ...,
    # "staff_ru": ...}: copied into
    # the reasons' params so that a stored reason can be shown in any language.
    translations: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class OtherCourse:
    """Another course of the same patient, past or future."""

    first_session: date
    last_session: date

    def __post_init__(self):
        if self.last_session < self.first_session:
            raise ValueError("A course cannot end before its first session.")


@dataclass(frozen=True)
class PlanRequest:
    template: TemplateRules
    start: date  # requested start
    sessions: int | None = None  # None = template.default_sessions
    cadence_days: int | None = None  # None = template.cadence_days
    calendar: WorkingCalendar = WorkingCalendar()
    conditions: tuple[Condition, ...] = ()
    exacerbations: tuple[Exacerbation, ...] = ()
    contraindications: tuple[Contraindication, ...] = ()
    other_courses: tuple[OtherCourse, ...] = ()
    # With a schedule every session also gets a time and a room (R17, see planner.schedule).
    schedule: "Schedule | None" = None


# --- Output ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule: str  # "R2", "R4", "R6", "R7", "R8", "R9", "R10", "R11", "R17"
    template: str  # untranslated message with %(name)s placeholders
    params: dict = field(default_factory=dict)  # values are str or int

    @property
    def message(self) -> str:
        return self.template % self.params


@dataclass(frozen=True)
class PlannedSession:
    number: int
    day: date
    minutes: int
    start: int | None = None  # with a schedule: the booking, in minutes since midnight
    end: int | None = None  # (the massage minutes plus the buffer, rounded up to slots)
    room: str | None = None  # with a schedule and rooms: the room's name


@dataclass(frozen=True)
class Plan:
    sessions: tuple[PlannedSession, ...]
    warnings: tuple[Reason, ...]
    earliest_next_course: date  # last session + template.break_months (R4)
    next_course_due: date  # first session + 6 months (R5)
    notes: tuple[Reason, ...] = ()  # with a schedule: sessions moved from the preferred time/day
    ok: bool = field(default=True, init=False)


@dataclass(frozen=True)
class Refusal:
    reasons: tuple[Reason, ...]  # never empty
    earliest_start: date | None  # None: no date helps, or none can be known
    ok: bool = field(default=False, init=False)


# --- Messages --------------------------------------------------------------------------------
# Each rule that depends on a period has one message for an open-ended and one for an ended period.

R2_COUNT = gettext_noop(
    "This template allows from %(min)d to %(max)d sessions in a course; %(sessions)d were "
    "requested."
)
R4_AFTER = gettext_noop(
    "Another course ended on %(other_last)s, and courses need a break of at least %(months)d "
    "calendar month(s) between them: this course would start on %(first)s; it may start from "
    "%(date)s."
)
R4_BEFORE = gettext_noop(
    "Another course is planned to start on %(other_first)s, and courses need a break of at least "
    "%(months)d calendar month(s) between them: this course would end on %(last)s, so it would "
    "have to end by %(deadline)s."
)
R6_OPEN = gettext_noop(
    "An exacerbation of %(condition)s is recorded from %(start)s with no end date: no session may "
    "take place while it lasts, and it covers planned sessions %(sessions)s."
)
R6_ENDED = gettext_noop(
    "An exacerbation of %(condition)s is recorded from %(start)s to %(end)s: no session may take "
    "place while it lasts, and it covers planned sessions %(sessions)s."
)
R7_OPEN = gettext_noop(
    "A flare-up of inflammatory arthritis is recorded from %(start)s with no end date: massage may "
    "start only one calendar month after it ends, and it covers planned sessions %(sessions)s."
)
R7_ENDED = gettext_noop(
    "A flare-up of inflammatory arthritis is recorded from %(start)s to %(end)s: massage may start "
    "only one calendar month after it ends, from %(date)s, but planned sessions %(sessions)s fall "
    "before that."
)
R8_POSTOP = gettext_noop(
    "The joint replacement surgery was on %(surgery)s. Massage may start %(days)d days after "
    "surgery, on %(date)s at the earliest; this course would start on %(first)s. Until then, offer "
    "kinesiotherapy instead: passive movements and isometric contractions of the thigh muscles."
)
R9_OPEN = gettext_noop(
    "%(name)s is recorded from %(start)s with no end date. It rules out massage while it lasts, "
    "and it covers planned sessions %(sessions)s."
)
R9_ENDED = gettext_noop(
    "%(name)s is recorded from %(start)s to %(end)s. It rules out massage while it lasts, and it "
    "covers planned sessions %(sessions)s."
)
R10_PRECAUTION = gettext_noop(
    "Precaution: %(name)s is recorded from %(start)s and applies to planned sessions %(sessions)s."
)
R10_PRECAUTION_ADVICE = gettext_noop(
    "Precaution: %(name)s is recorded from %(start)s and applies to planned sessions %(sessions)s. "
    "%(advice)s"
)
R10_STAGE_3 = gettext_noop(
    "Knee arthrosis is at stage 3 (advanced): a surgical consultation is advised."
)
R11_NO_CONDITION = gettext_noop(
    "No condition is recorded for this patient: record the condition the course treats before "
    "planning with the template “%(template)s”."
)
R11_TENDER_KNEE = gettext_noop(
    "The patient's knee is painful on touch (knee arthrosis, stage %(stage)d), and the template "
    "“%(template)s” includes massage of the knee: choose a knee-sparing template (hip, thigh, "
    "lower back)."
)
R11_STAGE = gettext_noop(
    "The template “%(template)s” is meant for knee arthrosis at stage %(stages)s, but the "
    "patient's knee arthrosis is at stage %(stage)d: choose a template for that stage."
)
R11_CONDITION = gettext_noop(
    "The template “%(template)s” is not meant for any of this patient's recorded conditions: "
    "choose a template for the patient's condition."
)


# --- Rules R1 and R3 -------------------------------------------------------------------------


def session_minutes(template: TemplateRules, number: int) -> int:
    """R1: sessions start short and grow by a step until they reach the target, then stay."""
    if number < 1:
        raise ValueError("Sessions are numbered from 1.")
    ramp = template.start_minutes + (number - 1) * template.step_minutes
    return min(template.target_minutes, ramp)


def session_dates(
    calendar: WorkingCalendar, start: date, count: int, cadence_days: int
) -> list[date]:
    """R3: the first working day on or after ``start``, then each first working day on or after
    the previous session + ``cadence_days`` (so a moved session never shortens the gap)."""
    if count < 0:
        raise ValueError("The number of sessions cannot be negative.")
    if cadence_days < 1:
        raise ValueError("Sessions must be at least one day apart.")
    dates: list[date] = []
    day = calendar.first_working_day_on_or_after(start)
    for _ in range(count):
        dates.append(day)
        day = calendar.first_working_day_on_or_after(day + timedelta(days=cadence_days))
    return dates


# --- Rules that depend on the dates (R4, R6–R9) ----------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A reason that refuses a course, and the first session date worth trying next: no course
    starting before ``retry_from`` can clear it; None means no later course ever can."""

    reason: Reason
    retry_from: date | None


@dataclass(frozen=True)
class _Window:
    """Days from ``start`` up to, not including, ``stop`` (None: for good) with no session."""

    rule: str
    templates: tuple[str, str]  # for an open-ended and for an ended window
    params: dict
    start: date
    stop: date | None


def _windows(request: PlanRequest) -> list[_Window]:  # R6, R7, R9
    windows = []
    for item in request.exacerbations:
        start, end = item.period.start, item.period.end
        params = {"start": start.isoformat(), "end": _iso(end)}
        if item.condition == INFLAMMATORY_ARTHRITIS:
            stop = end and end + relativedelta(months=1)
            params["date"] = _iso(stop)
            windows.append(_Window("R7", (R7_OPEN, R7_ENDED), params, start, stop))
        else:
            params["condition"] = CONDITION_LABELS[item.condition]
            stop = end and end + timedelta(days=1)
            windows.append(_Window("R6", (R6_OPEN, R6_ENDED), params, start, stop))
    for item in request.contraindications:
        if item.severity == BLOCKS:
            start, end = item.period.start, item.period.end
            params = {
                "name": item.name,
                "start": start.isoformat(),
                "end": _iso(end),
                **_translated(item, "name"),
            }
            stop = end and end + timedelta(days=1)
            windows.append(_Window("R9", (R9_OPEN, R9_ENDED), params, start, stop))
    return windows


def _window_block(window: _Window, dates: Sequence[date]) -> _Block | None:
    """While the first session is before the window, a later start may let the course pass
    around it (cadence, closed days), so the next candidate is the next day; once the first
    session is inside the window, nothing before its stop can work."""
    start, stop = window.start, window.stop
    numbers = [n for n, day in enumerate(dates, 1) if start <= day and (not stop or day < stop)]
    if not numbers:
        return None
    template = window.templates[0] if stop is None else window.templates[1]
    reason = Reason(window.rule, template, {**window.params, "sessions": _numbers(numbers)})
    if stop is None:
        return _Block(reason, None)  # every later course still reaches into it
    return _Block(reason, stop if dates[0] >= start else dates[0] + timedelta(days=1))


def _course_blocks(request: PlanRequest, dates: Sequence[date]) -> list[_Block]:  # R4
    months = request.template.break_months
    gap = relativedelta(months=months)
    first, last = dates[0], dates[-1]
    blocks = []
    for other in request.other_courses:
        allowed_from = other.last_session + gap
        if first >= allowed_from or last + gap <= other.first_session:
            continue
        params = {"months": months, "first": first.isoformat(), "last": last.isoformat()}
        if other.first_session <= first:
            params.update(other_last=other.last_session.isoformat(), date=allowed_from.isoformat())
            reason = Reason("R4", R4_AFTER, params)
        else:
            deadline = other.first_session - gap  # then the last day L with L + gap <= start
            while deadline + timedelta(days=1) + gap <= other.first_session:
                deadline += timedelta(days=1)  # Jan 29–31 + 1 month are all Feb 28
            params.update(
                other_first=other.first_session.isoformat(), deadline=deadline.isoformat()
            )
            reason = Reason("R4", R4_BEFORE, params)
        # Any first session before allowed_from still ends no earlier, so it still conflicts.
        blocks.append(_Block(reason, allowed_from))
    return blocks


def _surgery_blocks(request: PlanRequest, dates: Sequence[date]) -> list[_Block]:  # R8
    days = request.template.postop_days
    blocks = []
    for condition in request.conditions:
        if condition.kind != ENDOPROSTHETICS or condition.surgery_date is None:
            continue
        allowed_from = condition.surgery_date + timedelta(days=days)
        if dates[0] < allowed_from:
            params = {
                "surgery": condition.surgery_date.isoformat(),
                "days": days,
                "date": request.calendar.first_working_day_on_or_after(allowed_from).isoformat(),
                "first": dates[0].isoformat(),
            }
            blocks.append(_Block(Reason("R8", R8_POSTOP, params), allowed_from))
    return blocks


def _date_blocks(request: PlanRequest, windows: list[_Window], dates) -> list[_Block]:
    in_windows = [_window_block(window, dates) for window in windows]
    return [
        *_course_blocks(request, dates),
        *_surgery_blocks(request, dates),
        *(block for block in in_windows if block),
    ]


@dataclass(frozen=True)
class _Course:
    """Where a course's sessions fall: the sessions (and, with a schedule, the notes on them), or
    the R17 block of the first session that finds no free time."""

    sessions: tuple[PlannedSession, ...] = ()
    notes: tuple[Reason, ...] = ()
    block: _Block | None = None

    @property
    def dates(self) -> list[date]:
        return [session.day for session in self.sessions]


def _course(request: PlanRequest, start: date, count: int, cadence: int) -> _Course:
    """The course from ``start``: R1 and R3 alone, or placed in the schedule's free time (R17)."""
    if request.schedule is not None:
        return request.schedule.place(request, start, count, cadence)
    dates = session_dates(request.calendar, start, count, cadence)
    template = request.template
    return _Course(
        tuple(
            PlannedSession(n, day, session_minutes(template, n)) for n, day in enumerate(dates, 1)
        )
    )


def _blocks(request: PlanRequest, windows: list[_Window], course: _Course) -> list[_Block]:
    """R17 alone when a session finds no time (no dates to check the rest on), else R4, R6–R9."""
    if course.block is not None:
        return [course.block]
    return _date_blocks(request, windows, course.dates)


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _numbers(numbers: Sequence[int]) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"


# --- Rules no start date changes (R2, R11) and warnings (R10) --------------------------------


def _count_reason(template: TemplateRules, count: int) -> Reason | None:  # R2
    if template.min_sessions <= count <= template.max_sessions:
        return None
    params = {"min": template.min_sessions, "max": template.max_sessions, "sessions": count}
    return Reason("R2", R2_COUNT, params)


def _template_reason(template: TemplateRules, conditions: Sequence[Condition]) -> Reason | None:
    """R11: the template must suit at least one recorded condition and its stage."""
    params = {"template": template.name}
    if not conditions:
        return Reason("R11", R11_NO_CONDITION, params)
    suited = [c for c in conditions if c.kind in template.conditions]
    knees = [c for c in suited if c.kind == KNEE_ARTHROSIS]
    if any(c.kind != KNEE_ARTHROSIS for c in suited):
        return None
    in_stage = [c for c in knees if not template.stages or c.stage in template.stages]
    tender = [c for c in in_stage if (c.stage or 0) >= 2 and c.knee_tender]
    if in_stage and (template.knee_sparing or len(tender) < len(in_stage)):
        return None
    if tender:
        return Reason("R11", R11_TENDER_KNEE, {**params, "stage": tender[0].stage})
    if staged := [c for c in knees if c.stage is not None]:
        stages = ", ".join(str(stage) for stage in sorted(template.stages))
        return Reason("R11", R11_STAGE, {**params, "stages": stages, "stage": staged[0].stage})
    return Reason("R11", R11_CONDITION, params)


def template_applies(template: TemplateRules, conditions: Sequence[Condition]) -> bool:
    """Whether R11 lets ``template`` be planned for a patient with ``conditions``."""
    return _template_reason(template, conditions) is None


def _translated(item: Contraindication, key: str) -> dict:
    """The other languages' texts of ``key`` (``name_ru`` ...) for a reason's params."""
    prefix = f"{key}_"
    return {k: v for k, v in item.translations.items() if k.startswith(prefix) and v}


def _warnings(request: PlanRequest, dates: Sequence[date]) -> list[Reason]:  # R10
    warnings = []
    for item in request.contraindications:
        numbers = [n for n, day in enumerate(dates, 1) if item.period.covers(day)]
        if item.severity == WARNS and numbers:
            params = {"name": item.name, "code": item.code, "start": item.period.start.isoformat()}
            params["sessions"] = _numbers(numbers)
            params.update(_translated(item, "name"))
            if item.advice:
                params["advice"] = item.advice
                params.update(_translated(item, "advice"))
            if item.staff:
                params["staff"] = item.staff
                params.update(_translated(item, "staff"))
            template = R10_PRECAUTION_ADVICE if item.advice else R10_PRECAUTION
            warnings.append(Reason("R10", template, params))
    if any(c.kind == KNEE_ARTHROSIS and c.stage == 3 for c in request.conditions):
        warnings.append(Reason("R10", R10_STAGE_3))
    return warnings


# --- Planning --------------------------------------------------------------------------------


def _validate(request: PlanRequest, count: int, cadence: int) -> None:
    template = request.template
    if count < 1:
        raise ValueError("A course needs at least one session.")
    if cadence < 1:
        raise ValueError("Sessions must be at least one day apart.")
    if template.step_minutes < 0 or not 1 <= template.start_minutes <= template.target_minutes:
        raise ValueError("Session lengths must grow from the start length up to the target.")
    if template.break_months < 1 or template.postop_days < 0:
        raise ValueError(
            "The break between courses is at least one month, and days after "
            "surgery cannot be negative."
        )
    kinds = {c.kind for c in request.conditions} | {e.condition for e in request.exacerbations}
    if unknown := (kinds | template.conditions) - set(CONDITION_KINDS):
        raise ValueError(f"Unknown condition kind: {', '.join(sorted(unknown))}.")
    stages = {c.stage for c in request.conditions if c.stage is not None} | template.stages
    if not stages <= set(KNEE_ARTHROSIS_STAGES):
        raise ValueError("Knee arthrosis stages are 1, 2 and 3.")
    if unknown := {c.severity for c in request.contraindications} - set(SEVERITIES):
        raise ValueError(f"Unknown severity: {', '.join(sorted(unknown))}.")


def _horizon(request: PlanRequest, windows: list[_Window], span: timedelta) -> date:
    """A date after which only open-ended windows can still refuse a course."""
    gap = relativedelta(months=request.template.break_months)
    postop = timedelta(days=request.template.postop_days)
    finite = [request.start, *(w.stop or w.start for w in windows)]
    finite += [other.last_session + gap for other in request.other_courses]
    finite += [c.surgery_date + postop for c in request.conditions if c.surgery_date]
    return max(finite) + span + timedelta(days=62)


def _earliest_start(request, windows, count, cadence, blocks) -> date | None:
    """The first session of the earliest course from the requested start on that no rule refuses.

    A later start never moves any session earlier, so each block's ``retry_from`` is a safe lower
    bound for the next candidate and the search jumps instead of trying every day.
    """
    if request.schedule is None:
        dates = session_dates(request.calendar, request.start, count, cadence)
        horizon = _horizon(request, windows, dates[-1] - dates[0])
    else:
        horizon = request.schedule.search_limit(request.start)
    while blocks:
        retry_from = [block.retry_from for block in blocks]
        if None in retry_from or max(retry_from) > horizon:
            return None
        course = _course(request, max(retry_from), count, cadence)
        if course.block is None and course.dates[0] > horizon:
            return None
        blocks = _blocks(request, windows, course)
    return course.dates[0]


def plan(request: PlanRequest) -> Plan | Refusal:
    """Plan the course asked for, or refuse it naming every rule that stands in the way."""
    template = request.template
    count = template.default_sessions if request.sessions is None else request.sessions
    cadence = template.cadence_days if request.cadence_days is None else request.cadence_days
    _validate(request, count, cadence)

    windows = _windows(request)
    course = _course(request, request.start, count, cadence)
    blocks = _blocks(request, windows, course)
    fixed = [_count_reason(template, count), _template_reason(template, request.conditions)]
    fixed = [reason for reason in fixed if reason]
    if fixed or blocks:
        reasons = sorted([*fixed, *(b.reason for b in blocks)], key=lambda r: int(r.rule[1:]))
        earliest = None if fixed else _earliest_start(request, windows, count, cadence, blocks)
        return Refusal(reasons=tuple(reasons), earliest_start=earliest)

    dates = course.dates
    return Plan(
        sessions=course.sessions,
        warnings=tuple(_warnings(request, dates)),
        earliest_next_course=dates[-1] + relativedelta(months=template.break_months),
        next_course_due=next_course_due(dates[0]),
        notes=course.notes,
    )


# --- R5: when the next course is due ------------------------------------------------------------


@lru_cache(maxsize=4096)
def next_course_due(first_session: date) -> date:
    """The date by which the next course should start (R5): first session + six months.

    Cached: the reports ask it for every completed course of a year, and month arithmetic costs
    far more than a lookup. Ten years of first sessions are under 4,096 distinct days."""
    return first_session + relativedelta(months=COURSE_DUE_MONTHS)


def due_soon_horizon(today: date) -> date:
    """Courses due on or before this day are listed as due today (R5)."""
    return today + timedelta(days=DUE_SOON_DAYS)


def latest_first_session_due_by(day: date) -> date:
    """The latest first session whose next course is due on or before ``day`` (R5).

    Not simply ``day - 6 months``: month ends clamp, so 29, 30 and 31 August are all due on
    28 February. ``next_course_due`` never decreases, so every earlier first session is due too.
    """
    latest = day - relativedelta(months=COURSE_DUE_MONTHS)
    while next_course_due(latest + timedelta(days=1)) <= day:
        latest += timedelta(days=1)
    return latest
