"""The thin layer between the database and the pure planner.

Everything that plans a course (the workspace views, ``manage.py plan_course``, the admin preview)
builds the planner's input here, from model rows or from inline JSON facts, and turns its answer
into translated text and JSON.
"""

import dataclasses
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop, ngettext

import planner
from core.texts import language_code
from planner import schedule as scheduling
from protocols import booking
from protocols.models import Course, Session
from protocols.snapshot import RULE_VALUES, TemplateSnapshot

# What the planner reads of a template (``planner.TemplateRules``), besides the condition lists.
RULE_FIELDS = ["slug", "name", *RULE_VALUES]


class PlanInputError(ValueError):
    """The facts given to the planner are malformed (not a clinical refusal)."""


# --- Templates and snapshots -----------------------------------------------------------------


def rules_from_snapshot(snapshot: dict) -> planner.TemplateRules:
    """The planner's rules of a course's stored template snapshot (``protocols.snapshot``)."""
    return TemplateSnapshot.from_data(snapshot).rules()


def rules_from_template(template) -> planner.TemplateRules:
    return planner.TemplateRules(
        **{field: getattr(template, field) for field in RULE_FIELDS},
        conditions=frozenset(template.conditions),
        stages=frozenset(template.stages),
    )


# --- Requests from the database --------------------------------------------------------------


def clinic_calendar(clinic, *, from_date: date | None = None) -> planner.WorkingCalendar:
    closed = clinic.closed_dates.all()
    if from_date:
        closed = closed.filter(date__gte=from_date)
    return planner.WorkingCalendar(
        working_weekdays=frozenset(clinic.working_weekdays),
        closed_dates=frozenset(closed.values_list("date", flat=True)),
    )


def other_courses(patient, *, exclude_course=None) -> tuple[planner.OtherCourse, ...]:
    """The patient's courses that still hold their dates, as first and last session dates."""
    live = ~Q(sessions__status=Session.CANCELLED)
    courses = (
        Course.objects.filter(patient=patient, status__in=Course.HOLDING_DATES)
        .annotate(first=Min("sessions__date", filter=live), last=Max("sessions__date", filter=live))
        .filter(first__isnull=False)
    )
    if exclude_course is not None:
        courses = courses.exclude(pk=exclude_course.pk)
    return tuple(
        planner.OtherCourse(first_session=first, last_session=last)
        for first, last in courses.values_list("first", "last")
    )


def build_request(
    *,
    patient,
    rules: planner.TemplateRules,
    start: date,
    sessions: int | None = None,
    cadence_days: int | None = None,
    exclude_course=None,
) -> planner.PlanRequest:
    """The planner's input for one patient, read from the database (five small queries)."""
    exacerbations = patient.exacerbations.select_related("condition")
    contraindications = patient.contraindications.select_related("kind")
    return planner.PlanRequest(
        template=rules,
        start=start,
        sessions=sessions,
        cadence_days=cadence_days,
        calendar=clinic_calendar(patient.clinic, from_date=start),
        conditions=tuple(c.as_planner_condition() for c in patient.conditions.all()),
        exacerbations=tuple(
            planner.Exacerbation(condition=e.condition.kind, period=e.as_period())
            for e in exacerbations
        ),
        contraindications=tuple(c.as_planner_contraindication() for c in contraindications),
        other_courses=other_courses(patient, exclude_course=exclude_course),
    )


def with_schedule(
    request: planner.PlanRequest,
    *,
    clinic,
    therapist,
    preferred_time: int | None,
    buffer_minutes: int,
    exclude_course=None,
    default_time=None,
    skip_past: bool = False,
) -> planner.PlanRequest:
    """``request`` placed in ``therapist``'s real week (R17), when the therapist works by the
    hour; unchanged (dated sessions, no times) otherwise. Without ``preferred_time``: what
    ``default_time()`` says, else the therapist's first hour."""
    hours = booking.weekly_hours(therapist) if therapist is not None else {}
    if not hours:
        return request
    if preferred_time is None:
        preferred_time = default_time() if default_time else None
    if preferred_time is None:
        preferred_time = min(start for intervals in hours.values() for start, _end in intervals)
    schedule = booking.schedule_for(
        clinic=clinic,
        therapist=therapist,
        hours=hours,
        start=request.start,
        preferred_time=preferred_time,
        buffer_minutes=buffer_minutes,
        exclude_course=exclude_course,
        skip_past=skip_past,
    )
    return dataclasses.replace(request, schedule=schedule)


def course_request(
    *,
    patient,
    template,
    start,
    sessions=None,
    cadence_days=None,
    therapist=None,
    preferred_time: int | None = None,
) -> planner.PlanRequest:
    """The planner's input for a new course of ``template``: the patient's facts and, when the
    therapist works by the hour, their week (at ``preferred_time``, by default the patient's last
    course's time or the therapist's first hour)."""
    request = build_request(
        patient=patient,
        rules=rules_from_template(template),
        start=start,
        sessions=sessions,
        cadence_days=cadence_days,
    )
    return with_schedule(
        request,
        clinic=patient.clinic,
        therapist=therapist,
        preferred_time=preferred_time,
        buffer_minutes=template.buffer_minutes,
        default_time=lambda: booking.patients_time(patient),
    )


def plan_for_patient(
    *,
    patient,
    template,
    start,
    sessions=None,
    cadence_days=None,
    therapist=None,
    preferred_time: int | None = None,
):
    """Plan a course of ``template`` for ``patient`` from ``start``: a Plan or a Refusal."""
    return planner.plan(
        course_request(
            patient=patient,
            template=template,
            start=start,
            sessions=sessions,
            cadence_days=cadence_days,
            therapist=therapist,
            preferred_time=preferred_time,
        )
    )


# --- Requests from inline JSON facts (manage.py plan_course --input) -------------------------


def _date(value, where: str) -> date:
    if not isinstance(value, str):
        raise PlanInputError(f"{where}: expected a date as YYYY-MM-DD, got {value!r}.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PlanInputError(f"{where}: {value!r} is not a valid date (YYYY-MM-DD).") from None


def _optional_date(value, where: str) -> date | None:
    return None if value is None else _date(value, where)


def _int(value, where: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PlanInputError(
            f"{where}: expected a whole number of at least {minimum}, got {value!r}."
        )
    return value


def _list(payload: dict, key: str, where: str) -> list:
    value = payload.get(key, [])
    if not isinstance(value, list):
        raise PlanInputError(f"{where}.{key}: expected a list.")
    return value


def _object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise PlanInputError(f"{where}: expected an object.")
    return value


def _period(item: dict, where: str) -> planner.Period:
    start = _date(item.get("start"), f"{where}.start")
    end = _optional_date(item.get("end"), f"{where}.end")
    if end is not None and end < start:
        raise PlanInputError(f"{where}: the end {end} is before the start {start}.")
    return planner.Period(start=start, end=end)


def _condition(item, where: str) -> planner.Condition:
    item = _object(item, where)
    kind = item.get("kind")
    if kind not in planner.CONDITION_KINDS:
        known = ", ".join(planner.CONDITION_KINDS)
        raise PlanInputError(f"{where}.kind: unknown condition kind {kind!r} (known: {known}).")
    stage = item.get("stage")
    if kind == planner.KNEE_ARTHROSIS and stage not in planner.KNEE_ARTHROSIS_STAGES:
        raise PlanInputError(f"{where}.stage: knee arthrosis needs a stage of 1, 2 or 3.")
    surgery = _optional_date(item.get("surgery_date"), f"{where}.surgery_date")
    if kind == planner.ENDOPROSTHETICS and surgery is None:
        raise PlanInputError(f"{where}.surgery_date: joint replacement needs its surgery date.")
    return planner.Condition(
        kind=kind,
        stage=stage if kind == planner.KNEE_ARTHROSIS else None,
        side=item.get("side"),
        joint=item.get("joint"),
        surgery_date=surgery,
        knee_tender=bool(item.get("knee_tender", False)),
    )


def _time(value, where: str) -> int:
    if not isinstance(value, str):
        raise PlanInputError(f"{where}: expected a time as HH:MM, got {value!r}.")
    try:
        return scheduling.parse_time(value)
    except ValueError as exc:
        raise PlanInputError(f"{where}: {exc}") from None


def _span(start, end, where: str) -> tuple[int, int]:
    first, last = _time(start, f"{where}.start"), _time(end, f"{where}.end")
    if last <= first:
        raise PlanInputError(f"{where}: {start}–{end} ends at or before its start.")
    return first, last


def _bookings(payload: dict, where: str) -> tuple[scheduling.Booking, ...]:
    bookings = []
    for i, item in enumerate(_list(payload, "busy", where)):
        at = f"{where}.busy[{i}]"
        item = _object(item, at)
        day = _date(item.get("date"), f"{at}.date")
        bookings.append(scheduling.Booking(day, *_span(item.get("start"), item.get("end"), at)))
    return tuple(bookings)


def _hours(therapist: dict) -> dict[int, list[tuple[int, int]]]:
    hours = {}
    weekdays = _object(therapist.get("hours", {}), "schedule.therapist.hours")
    for key, intervals in weekdays.items():
        where = f"schedule.therapist.hours.{key}"
        if key not in [str(weekday) for weekday in range(7)]:
            raise PlanInputError(f'{where}: weekdays are "0" (Monday) to "6" (Sunday).')
        if not isinstance(intervals, list):
            raise PlanInputError(f'{where}: expected a list of ["HH:MM", "HH:MM"] intervals.')
        hours[int(key)] = []
        for i, interval in enumerate(intervals):
            if not isinstance(interval, list) or len(interval) != 2:
                raise PlanInputError(f'{where}[{i}]: expected ["HH:MM", "HH:MM"].')
            start, end = _time(interval[0], f"{where}[{i}]"), _time(interval[1], f"{where}[{i}]")
            if end <= start:
                raise PlanInputError(
                    f"{where}[{i}]: {interval[0]}–{interval[1]} ends at or before its start."
                )
            hours[int(key)].append((start, end))
    return hours


def _schedule(value) -> scheduling.Schedule:
    """The ``"schedule"`` of a request: the therapist's hours, absences and bookings, the rooms."""
    value = _object(value, "schedule")
    therapist = _object(value.get("therapist", {}), "schedule.therapist")
    hours = _hours(therapist)
    if "preferred_time" in value:
        preferred = _time(value["preferred_time"], "schedule.preferred_time")
    else:  # as in the app: the therapist's first hour
        preferred = min((start for spans in hours.values() for start, _ in spans), default=0)
    slot = value.get("slot_minutes", scheduling.DEFAULT_SLOT_MINUTES)
    if isinstance(slot, bool) or slot not in scheduling.SLOT_STEPS:
        steps = ", ".join(str(step) for step in scheduling.SLOT_STEPS)
        raise PlanInputError(f"schedule.slot_minutes: expected one of {steps}, got {slot!r}.")
    buffer = _int(
        value.get("buffer_minutes", scheduling.DEFAULT_BUFFER_MINUTES),
        "schedule.buffer_minutes",
        minimum=0,
    )
    name = therapist.get("name", "")
    if not isinstance(name, str):
        raise PlanInputError("schedule.therapist.name: expected a string.")
    absences = []
    for i, item in enumerate(_list(therapist, "absences", "schedule.therapist")):
        where = f"schedule.therapist.absences[{i}]"
        absences.append(_period(_object(item, where), where))
    rooms = []
    for i, item in enumerate(_list(value, "rooms", "schedule")):
        where = f"schedule.rooms[{i}]"
        item = _object(item, where)
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            raise PlanInputError(f"{where}.name: a room needs a name.")
        rooms.append(scheduling.Room(item["name"], _bookings(item, where)))
    try:
        return scheduling.Schedule(
            hours=hours,
            preferred_time=preferred,
            absences=tuple(absences),
            busy=_bookings(therapist, "schedule.therapist"),
            rooms=tuple(rooms),
            slot_minutes=slot,
            buffer_minutes=buffer,
            therapist=name,
        )
    except ValueError as exc:  # overlapping hours, two rooms of one name
        raise PlanInputError(f"schedule: {exc}") from None


def request_from_facts(
    payload: dict, *, rules: planner.TemplateRules, contraindication_kinds: dict
) -> planner.PlanRequest:
    """Build a request from the JSON of ``plan_course --input``; PlanInputError if malformed.

    ``contraindication_kinds`` maps each known code to its ContraindicationKind row.
    """
    payload = _object(payload, "request")
    start = _date(payload.get("start"), "start")
    sessions = payload.get("sessions")
    cadence = payload.get("cadence_days")
    sessions = None if sessions is None else _int(sessions, "sessions", minimum=1)
    cadence = None if cadence is None else _int(cadence, "cadence_days", minimum=1)

    clinic = _object(payload.get("clinic", {}), "clinic")
    closed_weekdays = _list(clinic, "closed_weekdays", "clinic")
    if any(isinstance(d, bool) or d not in range(7) for d in closed_weekdays):
        raise PlanInputError("clinic.closed_weekdays: weekdays are numbered 0 (Monday) to 6.")
    working = frozenset(range(7)) - set(closed_weekdays)
    if not working:
        raise PlanInputError("clinic.closed_weekdays: the clinic needs at least one working day.")
    closed_dates = frozenset(
        _date(value, f"clinic.closed_dates[{i}]")
        for i, value in enumerate(_list(clinic, "closed_dates", "clinic"))
    )

    patient = _object(payload.get("patient", {}), "patient")
    conditions = tuple(
        _condition(item, f"patient.conditions[{i}]")
        for i, item in enumerate(_list(patient, "conditions", "patient"))
    )
    exacerbations = []
    for i, item in enumerate(_list(patient, "exacerbations", "patient")):
        where = f"patient.exacerbations[{i}]"
        item = _object(item, where)
        if item.get("condition") not in planner.CONDITION_KINDS:
            raise PlanInputError(
                f"{where}.condition: unknown condition kind {item.get('condition')!r}."
            )
        exacerbations.append(planner.Exacerbation(item["condition"], _period(item, where)))
    contraindications = []
    for i, item in enumerate(_list(patient, "contraindications", "patient")):
        where = f"patient.contraindications[{i}]"
        item = _object(item, where)
        kind = contraindication_kinds.get(item.get("kind"))
        if kind is None:
            known = ", ".join(sorted(contraindication_kinds))
            raise PlanInputError(
                f"{where}.kind: unknown contraindication code {item.get('kind')!r} "
                f"(known: {known})."
            )
        contraindications.append(
            planner.Contraindication(
                code=kind.code,
                name=kind.name,
                severity=kind.severity,
                period=_period(item, where),
                advice=kind.patient_text,
                staff=kind.staff_text,
                translations=kind.planner_translations(),
            )
        )
    courses = []
    for i, item in enumerate(_list(patient, "previous_courses", "patient")):
        where = f"patient.previous_courses[{i}]"
        item = _object(item, where)
        first = _date(item.get("first_session"), f"{where}.first_session")
        last = _date(item.get("last_session"), f"{where}.last_session")
        if last < first:
            raise PlanInputError(f"{where}: the last session {last} is before the first {first}.")
        courses.append(planner.OtherCourse(first_session=first, last_session=last))
    schedule = None if payload.get("schedule") is None else _schedule(payload["schedule"])

    return planner.PlanRequest(
        template=rules,
        start=start,
        sessions=sessions,
        cadence_days=cadence,
        calendar=planner.WorkingCalendar(working_weekdays=working, closed_dates=closed_dates),
        conditions=conditions,
        exacerbations=tuple(exacerbations),
        contraindications=tuple(contraindications),
        other_courses=tuple(courses),
        schedule=schedule,
    )


# --- Answers as text and JSON ----------------------------------------------------------------


def _people_date(value):
    """An ISO date param as people write it in the active language ("2 Sep 2026"); any other
    value as it is."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return value


def reason_message(reason: planner.Reason | dict, *, iso_dates: bool = False) -> str:
    """The reason's message in the active language, its dates as people write them (ISO, as
    the planner gives them, with ``iso_dates``: the command line's JSON)."""
    if isinstance(reason, dict):
        template, params = reason["template"], reason.get("params", {})
    else:
        template, params = reason.template, reason.params
    language = language_code()
    params = {
        key: gettext(value) if key == "condition" else params.get(f"{key}_{language}") or value
        for key, value in params.items()
    }
    if template in (planner.R4_AFTER, planner.R4_BEFORE):
        text = _break_message(template, params)
    else:
        text = gettext(template)
    if not iso_dates:
        params = {key: _people_date(value) for key, value in params.items()}
    return text % params


def _break_message(template: str, params: dict) -> str:
    """R4's message with the months in their plural form, and a course still running said to
    run until its last session rather than to have "ended" on a future date."""
    months = int(params.get("months", 1))
    if template == planner.R4_BEFORE:
        return ngettext(
            "Another course is planned to start on %(other_first)s, and courses need a break of "
            "at least %(months)d calendar month between them: this course would end on "
            "%(last)s, so it would have to end by %(deadline)s.",
            "Another course is planned to start on %(other_first)s, and courses need a break of "
            "at least %(months)d calendar months between them: this course would end on "
            "%(last)s, so it would have to end by %(deadline)s.",
            months,
        )
    if str(params.get("other_last", "")) >= timezone.localdate().isoformat():
        return ngettext(
            "Another course runs until %(other_last)s, and courses need a break of at least "
            "%(months)d calendar month between them: this course would start on %(first)s; it "
            "may start from %(date)s.",
            "Another course runs until %(other_last)s, and courses need a break of at least "
            "%(months)d calendar months between them: this course would start on %(first)s; it "
            "may start from %(date)s.",
            months,
        )
    return ngettext(
        "Another course ended on %(other_last)s, and courses need a break of at least "
        "%(months)d calendar month between them: this course would start on %(first)s; it may "
        "start from %(date)s.",
        "Another course ended on %(other_last)s, and courses need a break of at least "
        "%(months)d calendar months between them: this course would start on %(first)s; it may "
        "start from %(date)s.",
        months,
    )


# What to keep in mind during a session, by the code of a contraindication kind that warns (the
# default library's two; a kind a clinic adds gets its name and date only).
STAFF_HINTS = {
    "anticoagulants": gettext_noop("press lightly"),
    "poor_limb_blood_supply": gettext_noop("use techniques that improve circulation"),
}
STAFF_LINE_LENGTH = 90  # characters of a fallback line: the rest stays on the course page


def _short_name(name: str) -> str:
    """A kind's name without a trailing explanation in brackets: "Blood thinners"."""
    head, bracket, _rest = name.partition(" (")
    return head if bracket and head.strip() and name.endswith(")") else name


def staff_line(reason: planner.Reason | dict) -> str:
    """A warning as one short line for staff (the day's grid and its list of open warnings), in
    the active language, its date as people write it: "Blood thinners since 1 Dec 2025: press
    lightly". The full text stays on the course and patient pages (``reason_message``)."""
    if isinstance(reason, dict):
        template, params = reason["template"], reason.get("params", {})
    else:
        template, params = reason.template, reason.params
    if template in (planner.R10_PRECAUTION, planner.R10_PRECAUTION_ADVICE):
        name = params.get(f"name_{language_code()}") or params.get("name", "")
        values = {"name": _short_name(name), "start": _people_date(params.get("start", ""))}
        hint = params.get(f"staff_{language_code()}") or params.get("staff")
        if not hint and params.get("code") in STAFF_HINTS:  # stored before kinds had staff texts
            hint = gettext(STAFF_HINTS[params["code"]])
        if hint:
            return gettext("%(name)s since %(start)s: %(hint)s") % {**values, "hint": hint}
        return gettext("%(name)s since %(start)s") % values
    if template == planner.R10_STAGE_3:
        return gettext("Stage 3 knee arthrosis: surgical consultation advised")
    return Truncator(reason_message(reason)).chars(STAFF_LINE_LENGTH)


def reason_as_dict(reason: planner.Reason) -> dict:
    """Stored form of a reason: enough to show it again in any language."""
    return {"rule": reason.rule, "template": reason.template, "params": dict(reason.params)}


def answer_as_json(answer: planner.Plan | planner.Refusal) -> dict:
    """The JSON answer of ``plan_course`` (the command-line contract)."""
    if isinstance(answer, planner.Refusal):
        return {
            "ok": False,
            "reasons": [
                {"rule": r.rule, "message": reason_message(r, iso_dates=True)}
                for r in answer.reasons
            ],
            "earliest_start": answer.earliest_start and answer.earliest_start.isoformat(),
        }
    scheduled = answer.sessions[0].start is not None  # a request with a schedule (R17)
    sessions = []
    for s in answer.sessions:
        session = {"number": s.number, "date": s.day.isoformat(), "minutes": s.minutes}
        if scheduled:
            session.update(
                time=scheduling.format_time(s.start),
                ends=scheduling.format_time(s.end),
                room=s.room,
            )
        sessions.append(session)
    result = {
        "ok": True,
        "sessions": sessions,
        "warnings": [
            {"rule": r.rule, "message": reason_message(r, iso_dates=True)} for r in answer.warnings
        ],
    }
    if scheduled:
        result["notes"] = [
            {
                "rule": n.rule,
                "session": n.params["number"],
                "message": reason_message(n, iso_dates=True),
            }
            for n in answer.notes
        ]
    result["earliest_next_course"] = answer.earliest_next_course.isoformat()
    result["next_course_due"] = answer.next_course_due.isoformat()
    return result


# --- The next course (R4, R5) ----------------------------------------------------------------


def next_course_window(courses) -> dict | None:
    """When the next course may start (R4) and when it is due (R5), from the latest course.

    ``courses`` are the patient's courses with their sessions prefetched. None without a course
    that holds dates.
    """
    latest = None
    for course in courses:
        if course.status not in (*Course.RUNNING, Course.COMPLETED):
            continue
        dates = [s.date for s in course.sessions.all() if s.status != Session.CANCELLED]
        if dates and (latest is None or min(dates) > latest[1]):
            latest = (course, min(dates), max(dates))
    if latest is None:
        return None
    course, first, last = latest
    earliest = last + relativedelta(months=course.snapshot.break_months)
    due = planner.next_course_due(first)
    today = timezone.localdate()
    return {
        "course": course,
        "earliest": earliest,
        "due": due,
        "overdue": due < today and course.status == Course.COMPLETED,
        "running": course.status in Course.RUNNING,
        # A date already past reads "now" on the pages; a new course is planned from today.
        "open_now": earliest <= today,
        "start": max(earliest, today),
    }
