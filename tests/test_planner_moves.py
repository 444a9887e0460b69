"""Moving one session by hand (planner.moves): R18 of DOMAIN.md, without the database.

Dates are in 2026: 2026-03-02 is a Monday. Times are minutes since midnight; ``t("10:30")``.
The therapist works Monday to Friday 09:00–13:00; a session of 10 minutes with the 10-minute
buffer books 30 minutes.
"""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from planner import (
    BLOCKS,
    ENDOPROSTHETICS,
    INFLAMMATORY_ARTHRITIS,
    KNEE_ARTHROSIS,
    Condition,
    Contraindication,
    Exacerbation,
    OtherCourse,
    Period,
    PlanRequest,
    TemplateRules,
    WorkingCalendar,
)
from planner.moves import (
    CLINICAL_RULES,
    R6_ON_DAY,
    R17_AWAY,
    R17_CLOSED,
    R17_DAY_OFF,
    R17_NO_ROOM,
    R17_OUTSIDE_HOURS,
    R17_THERAPIST_BUSY,
    R18_AFTER_PREVIOUS,
    R18_BEFORE_NEXT,
    R18_GAP_NEXT,
    R18_GAP_PREVIOUS,
    R18_PAST,
    Move,
    Neighbour,
    check,
    offers,
)
from planner.schedule import Booking, Room, Schedule, parse_time

t = parse_time
MONDAY = date(2026, 3, 2)
WEEKDAYS = frozenset(range(5))
TEMPLATE = TemplateRules(slug="classic", name="Classic", conditions=frozenset({KNEE_ARTHROSIS}))


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def move(*, cadence=2, previous=None, next_=None, schedule=None, today=MONDAY, now=0, **facts):
    schedule = schedule or Schedule(
        hours={weekday: [(t("09:00"), t("13:00"))] for weekday in range(5)},
        preferred_time=t("10:00"),
        therapist="Anna Belova",
    )
    request = PlanRequest(
        template=TEMPLATE,
        start=today,
        calendar=facts.pop("calendar", WorkingCalendar(working_weekdays=WEEKDAYS)),
        schedule=schedule,
        **facts,
    )
    return Move(
        request=request,
        number=3,
        minutes=10,
        cadence=cadence,
        previous=previous,
        next=next_,
        today=today,
        now=now,
    )


def rules(verdict):
    return [(reason.rule, reason.template) for reason in verdict.reasons]


def test_a_free_time_on_a_working_day_between_the_neighbours_is_allowed():
    verdict = check(
        move(previous=Neighbour(2, day(0)), next_=Neighbour(4, day(4))), day(2), t("11:00")
    )
    assert verdict.ok
    assert (verdict.start, verdict.end) == (t("11:00"), t("11:30"))


def test_every_other_day_needs_a_free_day_from_each_neighbour():
    m = move(previous=Neighbour(2, day(0)), next_=Neighbour(4, day(4)))
    assert rules(check(m, day(1), t("10:00"))) == [("R18", R18_GAP_PREVIOUS)]
    assert rules(check(m, day(3), t("10:00"))) == [("R18", R18_GAP_NEXT)]
    message = check(m, day(1), t("10:00")).reasons[0].message
    assert "session 2 on 2026-03-02" in message and "2026-03-04 at the earliest" in message


def test_a_daily_course_only_keeps_the_order():
    m = move(cadence=1, previous=Neighbour(2, day(0)), next_=Neighbour(4, day(2)))
    assert check(m, day(1), t("10:00")).ok
    assert rules(check(m, day(0), t("12:00"))) == [("R18", R18_AFTER_PREVIOUS)]
    assert rules(check(m, day(2), t("09:00"))) == [("R18", R18_BEFORE_NEXT)]


def test_a_time_that_has_passed_is_refused():
    m = move(today=day(1), now=t("11:00"))
    assert rules(check(m, day(1), t("10:30"))) == [("R18", R18_PAST)]
    assert check(m, day(1), t("11:00")).ok
    assert rules(check(m, day(0), t("12:00")))[0] == ("R18", R18_PAST)


def test_the_clinic_the_weekday_the_absence_and_the_hours_are_the_calendars_rules():
    closed = move(calendar=WorkingCalendar(working_weekdays=WEEKDAYS, closed_dates={day(2)}))
    assert rules(check(closed, day(2), t("10:00"))) == [("R17", R17_CLOSED)]
    every_day = move(calendar=WorkingCalendar())
    assert rules(check(every_day, day(5), t("10:00"))) == [("R17", R17_DAY_OFF)]
    away = move(
        schedule=Schedule(
            hours={0: [(t("09:00"), t("13:00"))], 1: [(t("09:00"), t("13:00"))]},
            preferred_time=t("10:00"),
            absences=(Period(day(1), day(1)),),
            therapist="Anna Belova",
        )
    )
    assert rules(check(away, day(1), t("10:00"))) == [("R17", R17_AWAY)]
    late = check(move(), day(2), t("12:45"))
    assert rules(late) == [("R17", R17_OUTSIDE_HOURS)]
    assert "ends at 13:15" in late.reasons[0].message and "09:00–13:00" in late.reasons[0].message


def test_another_booking_of_the_therapist_or_every_room_taken_refuses_the_time():
    busy = Schedule(
        hours={2: [(t("09:00"), t("13:00"))]},
        preferred_time=t("10:00"),
        busy=(Booking(day(2), t("10:15"), t("10:45")),),
        rooms=(Room("Room 1", (Booking(day(2), t("11:00"), t("12:00")),)),),
        therapist="Anna Belova",
    )
    m = move(schedule=busy)
    assert rules(check(m, day(2), t("10:00"))) == [("R17", R17_THERAPIST_BUSY)]
    assert rules(check(m, day(2), t("11:15"))) == [("R17", R17_NO_ROOM)]
    free = check(m, day(2), t("10:45"))
    assert free.ok is False  # 10:45–11:15 meets the room's 11:00 booking
    assert check(m, day(2), t("12:00")).room == "Room 1"


def test_exacerbations_contraindications_surgery_and_the_other_courses_are_named():
    m = move(
        conditions=(
            Condition(KNEE_ARTHROSIS, stage=2),
            Condition(ENDOPROSTHETICS, surgery_date=day(-10)),
        ),
        exacerbations=(Exacerbation(KNEE_ARTHROSIS, Period(day(2), day(2))),),
        contraindications=(Contraindication("fever", "Fever", BLOCKS, Period(day(2), day(3))),),
        other_courses=(OtherCourse(day(20), day(40)),),
    )
    verdict = check(m, day(2), t("10:00"))
    assert [reason.rule for reason in verdict.reasons] == ["R4", "R6", "R8", "R9"]
    assert ("R6", R6_ON_DAY) in rules(verdict)
    assert {reason.rule for reason in verdict.reasons} <= CLINICAL_RULES  # the desk hears none
    calendar_only = check(move(), day(1), t("12:45")).reasons  # outside the hours
    assert calendar_only and not {reason.rule for reason in calendar_only} & CLINICAL_RULES


def test_an_inflammatory_flare_keeps_sessions_away_until_a_month_after_it_ends():
    m = move(
        exacerbations=(Exacerbation(INFLAMMATORY_ARTHRITIS, Period(day(0), day(1))),),
    )
    assert [r.rule for r in check(m, day(31), t("10:00")).reasons] == ["R7"]  # 2 April
    assert check(m, day(32), t("10:00")).ok  # 3 April, a Friday: a month after 3 March


def test_offers_are_the_nearest_free_times_that_keep_every_rule():
    busy = Schedule(
        hours={weekday: [(t("09:00"), t("13:00"))] for weekday in range(5)},
        preferred_time=t("10:00"),
        busy=(Booking(day(2), t("09:00"), t("13:00")),),  # Wednesday is full
        therapist="Anna Belova",
    )
    m = move(schedule=busy, previous=Neighbour(2, day(0)), next_=Neighbour(4, day(7)))
    found = offers(m, day(2), t("10:00"))
    assert [(v.day, v.start) for v in found] == [
        (day(3), t("10:00")),
        (day(3), t("09:45")),
        (day(4), t("10:00")),
        (day(4), t("09:45")),
        (day(3), t("10:15")),
        (day(3), t("09:30")),
    ]  # Thursday and Friday two each first, then more of Thursday; not Tuesday (a free day after
    # session 2), not Monday 9 (session 4)


def test_with_one_day_allowed_every_offer_is_on_it_and_not_where_the_session_is():
    m = move(previous=Neighbour(2, day(0)), next_=Neighbour(4, day(4)))
    found = offers(m, day(2), t("10:00"), skip=(day(2), t("10:00")))
    assert {v.day for v in found} == {day(2)}
    assert [v.start for v in found] == [
        t(x) for x in ("09:45", "10:15", "09:30", "10:30", "09:15", "10:45")
    ]


@settings(max_examples=60, deadline=None)
@given(
    previous=st.integers(-3, 3),
    gap_to_next=st.integers(1, 12),
    cadence=st.integers(1, 3),
    around=st.integers(-2, 14),
    at=st.integers(t("08:00"), t("14:00")),
    busy_start=st.integers(t("09:00"), t("12:00")),
)
def test_every_offer_passes_the_check_and_none_is_nearer_than_an_allowed_time_skipped(
    previous, gap_to_next, cadence, around, at, busy_start
):
    schedule = Schedule(
        hours={weekday: [(t("09:00"), t("13:00"))] for weekday in range(5)},
        preferred_time=t("10:00"),
        busy=tuple(Booking(day(n), busy_start, busy_start + 45) for n in range(0, 20, 3)),
        therapist="Anna Belova",
    )
    m = replace(
        move(schedule=schedule, cadence=cadence, today=day(-3)),
        previous=Neighbour(2, day(previous)),
        next=Neighbour(4, day(previous + gap_to_next)),
    )
    found = offers(m, day(around), at)
    for verdict in found:
        assert check(m, verdict.day, verdict.start).ok
        assert m.previous.day < verdict.day < m.next.day
    if found:  # a day nearer than every offered day has no allowed time at all
        nearest = min(abs((v.day - day(around)).days) for v in found)
        for n in range(around - nearest + 1, around + nearest):
            candidates = m.schedule.candidates(day(n), m.length)
            assert not any(check(m, day(n), start).ok for start in candidates)
