"""The course planner (the ``planner`` package): rules R1–R11 of DOMAIN.md, without the database.

Dates are in 2026: 2026-03-02 is a Monday.
"""

import re
from dataclasses import replace
from datetime import date, timedelta
from itertools import pairwise

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import (
    BLOCKS,
    CONDITION_KINDS,
    ENDOPROSTHETICS,
    INFLAMMATORY_ARTHRITIS,
    KNEE_ARTHROSIS,
    SCIATICA,
    WARNS,
    Condition,
    Contraindication,
    Exacerbation,
    OtherCourse,
    Period,
    Plan,
    PlanRequest,
    Reason,
    Refusal,
    TemplateRules,
    WorkingCalendar,
    plan,
    session_dates,
    session_minutes,
    template_applies,
)

CLASSIC = TemplateRules(
    slug="classic-knee", name="Classic knee massage", conditions=frozenset({KNEE_ARTHROSIS})
)
KNEE_SPARING = replace(CLASSIC, slug="knee-sparing", name="Knee-sparing massage", knee_sparing=True)
WEEKLY_SWEDISH = TemplateRules(
    slug="swedish-weekly",
    name="Swedish massage, weekly",
    conditions=frozenset({KNEE_ARTHROSIS}),
    start_minutes=60,
    step_minutes=0,
    target_minutes=60,
    min_sessions=8,
    max_sessions=8,
    default_sessions=8,
    cadence_days=7,
)
AFTER_SURGERY = replace(
    CLASSIC, slug="after-endoprosthetics", name="After joint replacement",
    conditions=frozenset({ENDOPROSTHETICS}),
)  # fmt: skip
SCIATICA_LEG = replace(
    CLASSIC, slug="sciatica-leg", name="Leg massage for sciatica", conditions=frozenset({SCIATICA})
)

KNEE = Condition(KNEE_ARTHROSIS, stage=1, side="left")
MONDAY = date(2026, 3, 2)
WEEKDAYS = WorkingCalendar(working_weekdays=frozenset(range(5)))  # Monday to Friday
NO_SUNDAYS = WorkingCalendar(working_weekdays=frozenset(range(6)))


def request(**changes) -> PlanRequest:
    """15 daily sessions of the classic template from Monday 2026-03-02, stage 1 knee arthrosis."""
    return replace(PlanRequest(template=CLASSIC, start=MONDAY, conditions=(KNEE,)), **changes)


def days(result: Plan) -> list[date]:
    return [session.day for session in result.sessions]


def rules(result: Refusal) -> list[str]:
    return [reason.rule for reason in result.reasons]


def the_reason(result, rule: str) -> Reason:
    (reason,) = [reason for reason in result.reasons if reason.rule == rule]
    return reason


def daily(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


def whole(message: str) -> str:
    """A ``match=`` pattern for exactly this message."""
    return f"^{re.escape(message)}$"


# --- R1 Session length ramps -----------------------------------------------------------------


def test_sessions_grow_from_7_to_15_minutes_and_then_stay_at_15():
    result = plan(request(sessions=18))

    assert [s.minutes for s in result.sessions] == [7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15, 15] + [
        15
    ] * 6
    assert [s.number for s in result.sessions] == list(range(1, 19))


def test_a_larger_step_stops_at_the_target_instead_of_passing_it():
    template = replace(CLASSIC, step_minutes=3)

    assert [session_minutes(template, n) for n in range(1, 6)] == [7, 10, 13, 15, 15]


def test_a_weekly_hour_long_template_gives_eight_60_minute_sessions_a_week_apart():
    result = plan(request(template=WEEKLY_SWEDISH))

    assert days(result) == [MONDAY + timedelta(weeks=n) for n in range(8)]
    assert days(result)[-1] == date(2026, 4, 20)
    assert [s.minutes for s in result.sessions] == [60] * 8


# --- R3 Cadence and working days -------------------------------------------------------------


def test_daily_sessions_skip_closed_sundays_and_a_closed_holiday():
    calendar = replace(NO_SUNDAYS, closed_dates=frozenset({date(2026, 5, 1)}))

    assert session_dates(calendar, date(2026, 4, 30), 5, 1) == [
        date(2026, 4, 30),  # Thursday
        date(2026, 5, 2),  # Saturday: Friday 1 May is a holiday
        date(2026, 5, 4),  # Monday: Sunday is closed
        date(2026, 5, 5),
        date(2026, 5, 6),
    ]


def test_every_other_day_keeps_a_free_day_after_a_session_pushed_past_a_closed_day():
    dates = session_dates(NO_SUNDAYS, date(2026, 3, 6), 5, 2)

    # Sunday 8 March is closed, so session 2 moves to Monday 9; session 3 is Wednesday, not Tuesday.
    assert dates == [
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 11),
        date(2026, 3, 13),
        date(2026, 3, 16),
    ]


def test_daily_sessions_continue_on_monday_after_a_closed_weekend():
    assert session_dates(WEEKDAYS, date(2026, 3, 5), 4, 1) == [
        date(2026, 3, 5),
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 10),
    ]


def test_a_course_asked_for_on_a_closed_day_starts_on_the_next_working_day():
    result = plan(request(start=date(2026, 3, 7), calendar=WEEKDAYS))

    assert days(result)[:2] == [date(2026, 3, 9), date(2026, 3, 10)]


def test_the_requested_cadence_overrides_the_templates():
    result = plan(request(cadence_days=14, sessions=15))

    assert days(result)[:3] == [MONDAY, date(2026, 3, 16), date(2026, 3, 30)]


def test_no_sessions_have_no_dates_and_a_negative_count_or_cadence_is_nonsense():
    assert session_dates(WEEKDAYS, MONDAY, 0, 1) == []
    with pytest.raises(ValueError, match=whole("The number of sessions cannot be negative.")):
        session_dates(WEEKDAYS, MONDAY, -1, 1)
    with pytest.raises(ValueError, match=whole("Sessions must be at least one day apart.")):
        session_dates(WEEKDAYS, MONDAY, 3, 0)
    with pytest.raises(ValueError, match=whole("Sessions are numbered from 1.")):
        session_minutes(CLASSIC, 0)


# --- R2 Course size --------------------------------------------------------------------------


def test_it_refuses_a_course_shorter_than_the_template_allows_with_no_date_to_offer():
    result = plan(request(sessions=14))

    assert isinstance(result, Refusal)
    assert rules(result) == ["R2"]
    assert result.earliest_start is None
    assert result.reasons[0].message == (
        "This template allows from 15 to 20 sessions in a course; 14 were requested."
    )


def test_it_refuses_a_course_longer_than_the_template_allows():
    result = plan(request(sessions=21))

    assert rules(result) == ["R2"]
    assert the_reason(result, "R2").params == {"min": 15, "max": 20, "sessions": 21}


def test_it_accepts_both_ends_of_the_course_size_range():
    assert len(plan(request(sessions=15)).sessions) == 15
    assert len(plan(request(sessions=20)).sessions) == 20
    assert len(plan(request()).sessions) == 15  # the template's default


# --- R4 Break between courses ----------------------------------------------------------------

JANUARY_COURSE = OtherCourse(first_session=date(2026, 1, 5), last_session=date(2026, 1, 31))


def test_it_refuses_a_course_less_than_a_calendar_month_after_the_previous_one():
    result = plan(request(start=date(2026, 2, 16), other_courses=(JANUARY_COURSE,)))

    assert rules(result) == ["R4"]
    # 31 January + 1 month is 28 February (calendar months, not 30 days).
    assert result.earliest_start == date(2026, 2, 28)
    assert the_reason(result, "R4").message == (
        "Another course ended on 2026-01-31, and courses need a break of at least 1 calendar "
        "month(s) between them: this course would start on 2026-02-16; it may start from "
        "2026-02-28."
    )


def test_it_accepts_a_course_exactly_one_calendar_month_after_the_previous_one():
    refused = plan(request(start=date(2026, 2, 27), other_courses=(JANUARY_COURSE,)))
    accepted = plan(request(start=date(2026, 2, 28), other_courses=(JANUARY_COURSE,)))

    assert rules(refused) == ["R4"]
    assert days(accepted)[0] == date(2026, 2, 28)


def test_the_earliest_start_after_a_break_is_a_working_day():
    result = plan(
        request(start=date(2026, 2, 16), calendar=WEEKDAYS, other_courses=(JANUARY_COURSE,))
    )

    assert result.earliest_start == date(2026, 3, 2)  # 28 February is a Saturday


def test_it_refuses_a_course_ending_less_than_a_month_before_the_next_planned_one():
    april = OtherCourse(first_session=date(2026, 4, 20), last_session=date(2026, 5, 8))

    result = plan(request(start=date(2026, 3, 16), other_courses=(april,)))

    assert rules(result) == ["R4"]
    assert the_reason(result, "R4").message == (
        "Another course is planned to start on 2026-04-20, and courses need a break of at least 1 "
        "calendar month(s) between them: this course would end on 2026-03-30, so it would have to "
        "end by 2026-03-20."
    )
    # No later start fits before April; the first that fits comes a month after that course.
    assert result.earliest_start == date(2026, 6, 8)
    assert days(plan(request(start=MONDAY, other_courses=(april,))))[-1] == date(2026, 3, 16)


def test_the_break_before_a_later_course_counts_calendar_months_too():
    end_of_february = OtherCourse(first_session=date(2026, 2, 28), last_session=date(2026, 3, 20))

    ends_31_january = plan(request(start=date(2026, 1, 17), other_courses=(end_of_february,)))
    ends_1_february = plan(request(start=date(2026, 1, 18), other_courses=(end_of_february,)))

    assert days(ends_31_january)[-1] == date(2026, 1, 31)  # + 1 month = 28 February: allowed
    assert rules(ends_1_february) == ["R4"]
    assert the_reason(ends_1_february, "R4").params["deadline"] == "2026-01-31"


def test_it_names_each_conflicting_course_once():
    april = OtherCourse(first_session=date(2026, 4, 20), last_session=date(2026, 5, 8))

    # Every third day from 16 February: too soon after January, and ends on 30 March.
    result = plan(
        request(start=date(2026, 2, 16), cadence_days=3, other_courses=(JANUARY_COURSE, april))
    )

    assert rules(result) == ["R4", "R4"]
    assert result.earliest_start == date(2026, 6, 8)


def test_a_longer_break_set_on_the_template_is_respected():
    result = plan(
        request(
            template=replace(CLASSIC, break_months=2),
            start=date(2026, 3, 16),
            other_courses=(JANUARY_COURSE,),
        )
    )

    assert result.earliest_start == date(2026, 3, 31)


def test_another_course_starting_the_same_day_is_a_course_before_this_one():
    same_day = OtherCourse(first_session=MONDAY, last_session=date(2026, 3, 16))

    result = plan(request(other_courses=(same_day,)))

    assert rules(result) == ["R4"]
    assert the_reason(result, "R4").message == (
        "Another course ended on 2026-03-16, and courses need a break of at least 1 calendar "
        "month(s) between them: this course would start on 2026-03-02; it may start from "
        "2026-04-16."
    )
    assert result.earliest_start == date(2026, 4, 16)


def test_a_one_session_course_holds_its_day_and_the_month_after_it():
    one_day = OtherCourse(first_session=date(2026, 2, 20), last_session=date(2026, 2, 20))

    result = plan(request(other_courses=(one_day,)))

    assert rules(result) == ["R4"]
    assert result.earliest_start == date(2026, 3, 20)


def test_a_weekly_15_session_course_is_offered_more_than_two_months_after_the_request():
    weekly_15 = replace(WEEKLY_SWEDISH, max_sessions=15, default_sessions=15)
    april = OtherCourse(first_session=date(2026, 4, 20), last_session=date(2026, 5, 8))

    result = plan(request(template=weekly_15, other_courses=(april,)))

    # Fifteen weeks from March cannot end a month before 20 April; the first course that fits
    # starts a month after 8 May, more than two months (and more than the course) later.
    assert rules(result) == ["R4"]
    assert the_reason(result, "R4").params["deadline"] == "2026-03-20"
    assert result.earliest_start == date(2026, 6, 8)
    assert days(plan(request(template=weekly_15, start=date(2026, 6, 8), other_courses=(april,))))[
        -1
    ] == date(2026, 9, 14)


def test_a_long_course_before_the_request_still_gives_an_earliest_start():
    spring = OtherCourse(first_session=date(2026, 3, 20), last_session=date(2026, 5, 20))

    result = plan(request(other_courses=(spring,)))

    assert rules(result) == ["R4"]
    assert result.earliest_start == date(2026, 6, 20)


# --- R6 Exacerbation -------------------------------------------------------------------------


def test_it_refuses_a_course_during_an_open_ended_exacerbation_and_offers_no_date():
    flare = Exacerbation(KNEE_ARTHROSIS, Period(date(2026, 2, 20)))

    result = plan(request(exacerbations=(flare,)))

    assert rules(result) == ["R6"]
    assert result.earliest_start is None
    assert result.reasons[0].message == (
        "An exacerbation of knee arthrosis is recorded from 2026-02-20 with no end date: no "
        "session may take place while it lasts, and it covers planned sessions 1–15."
    )


def test_it_refuses_a_course_overlapping_an_ended_exacerbation_once_for_all_sessions_in_it():
    flare = Exacerbation(SCIATICA, Period(date(2026, 3, 5), date(2026, 3, 10)))

    result = plan(request(exacerbations=(flare,)))

    assert rules(result) == ["R6"]
    assert result.reasons[0].message == (
        "An exacerbation of sciatica is recorded from 2026-03-05 to 2026-03-10: no session may "
        "take place while it lasts, and it covers planned sessions 4–9."
    )
    assert result.earliest_start == date(2026, 3, 11)
    assert days(plan(request(start=date(2026, 3, 11), exacerbations=(flare,))))[0] == date(
        2026, 3, 11
    )


def test_it_accepts_a_course_after_an_exacerbation_ended():
    flare = Exacerbation(KNEE_ARTHROSIS, Period(date(2026, 2, 1), date(2026, 3, 1)))

    assert days(plan(request(exacerbations=(flare,))))[0] == MONDAY


def test_an_every_other_day_course_may_start_a_day_later_to_pass_around_a_one_day_flare():
    flare = Exacerbation(SCIATICA, Period(date(2026, 3, 4), date(2026, 3, 4)))

    result = plan(request(cadence_days=2, exacerbations=(flare,)))

    assert result.earliest_start == date(2026, 3, 3)  # sessions 3, 5, 7 … March miss the 4th
    assert days(plan(request(start=date(2026, 3, 3), cadence_days=2, exacerbations=(flare,))))[
        :2
    ] == [date(2026, 3, 3), date(2026, 3, 5)]


def test_a_period_covering_exactly_one_session_names_that_session_alone():
    flare = Exacerbation(SCIATICA, Period(date(2026, 3, 4), date(2026, 3, 4)))

    result = plan(request(exacerbations=(flare,)))

    assert result.reasons[0].message == (
        "An exacerbation of sciatica is recorded from 2026-03-04 to 2026-03-04: no session may "
        "take place while it lasts, and it covers planned sessions 3."
    )
    assert the_reason(result, "R6").params == {
        "condition": "sciatica",
        "start": "2026-03-04",
        "end": "2026-03-04",
        "sessions": "3",
    }
    assert result.earliest_start == date(2026, 3, 5)


def test_an_exacerbation_names_its_condition_by_the_label_makemessages_finds():
    flare = Exacerbation(ENDOPROSTHETICS, Period(date(2026, 3, 1)))

    result = plan(request(exacerbations=(flare,)))

    # The label, not the kind's code: the Django layer translates it (R6 in Russian).
    assert the_reason(result, "R6").params["condition"] == "joint replacement (endoprosthetics)"


# --- R7 Inflammation -------------------------------------------------------------------------

INFLAMMATION = Exacerbation(INFLAMMATORY_ARTHRITIS, Period(date(2026, 1, 10), date(2026, 2, 10)))


def test_it_refuses_a_course_within_a_month_after_inflammation_ended():
    result = plan(request(exacerbations=(INFLAMMATION,)))

    assert rules(result) == ["R7"]
    assert result.earliest_start == date(2026, 3, 10)
    assert result.reasons[0].message == (
        "A flare-up of inflammatory arthritis is recorded from 2026-01-10 to 2026-02-10: massage "
        "may start only one calendar month after it ends, from 2026-03-10, but planned sessions "
        "1–8 fall before that."
    )


def test_it_accepts_a_course_exactly_one_month_after_inflammation_ended():
    assert rules(plan(request(start=date(2026, 3, 9), exacerbations=(INFLAMMATION,)))) == ["R7"]
    accepted = plan(request(start=date(2026, 3, 10), exacerbations=(INFLAMMATION,)))
    assert days(accepted)[0] == date(2026, 3, 10)


def test_an_inflammation_during_the_course_refuses_it_under_r7_not_r6():
    later = Exacerbation(INFLAMMATORY_ARTHRITIS, Period(date(2026, 3, 20), date(2026, 3, 25)))

    result = plan(request(start=date(2026, 3, 10), exacerbations=(later,)))

    assert rules(result) == ["R7"]
    assert result.earliest_start == date(2026, 4, 25)


def test_an_open_ended_inflammation_refuses_every_later_course():
    flare = Exacerbation(INFLAMMATORY_ARTHRITIS, Period(date(2026, 3, 10)))

    result = plan(request(exacerbations=(flare,)))

    assert rules(result) == ["R7"]
    assert result.earliest_start is None
    assert result.reasons[0].message == (
        "A flare-up of inflammatory arthritis is recorded from 2026-03-10 with no end date: "
        "massage may start only one calendar month after it ends, and it covers planned sessions "
        "9–15."
    )


# --- R8 After endoprosthetics ----------------------------------------------------------------


def test_it_refuses_massage_soon_after_joint_replacement_and_names_kinesiotherapy():
    hip = Condition(ENDOPROSTHETICS, joint="hip", side="right", surgery_date=date(2026, 2, 14))

    result = plan(request(template=AFTER_SURGERY, calendar=WEEKDAYS, conditions=(hip,)))

    assert rules(result) == ["R8"]
    # 14 February + 21 days is Saturday 7 March: the clinic's next working day is Monday 9 March.
    assert result.earliest_start == date(2026, 3, 9)
    assert result.reasons[0].message == (
        "The joint replacement surgery was on 2026-02-14. Massage may start 21 days after surgery, "
        "on 2026-03-09 at the earliest; this course would start on 2026-03-02. Until then, offer "
        "kinesiotherapy instead: passive movements and isometric contractions of the thigh "
        "muscles."
    )
    again = plan(
        request(
            template=AFTER_SURGERY, calendar=WEEKDAYS, conditions=(hip,), start=date(2026, 3, 9)
        )
    )
    assert days(again)[0] == date(2026, 3, 9)


def test_the_template_sets_how_long_after_surgery_massage_may_start():
    knee = Condition(ENDOPROSTHETICS, joint="knee", surgery_date=date(2026, 2, 14))

    result = plan(request(template=replace(AFTER_SURGERY, postop_days=28), conditions=(knee,)))

    assert result.earliest_start == date(2026, 3, 14)


def test_it_accepts_massage_long_after_joint_replacement():
    knee = Condition(ENDOPROSTHETICS, joint="knee", surgery_date=date(2025, 6, 1))

    assert days(plan(request(template=AFTER_SURGERY, conditions=(knee,))))[0] == MONDAY


def test_ninety_days_after_surgery_is_offered_although_it_is_months_after_the_request():
    hip = Condition(ENDOPROSTHETICS, joint="hip", surgery_date=date(2026, 2, 14))
    template = replace(AFTER_SURGERY, postop_days=90)

    result = plan(request(template=template, start=date(2026, 2, 16), conditions=(hip,)))

    assert rules(result) == ["R8"]
    assert the_reason(result, "R8").params == {
        "surgery": "2026-02-14",
        "days": 90,
        "date": "2026-05-15",
        "first": "2026-02-16",
    }
    assert result.earliest_start == date(2026, 5, 15)


def test_the_first_massage_may_fall_on_the_very_day_the_post_operative_period_ends():
    knee = Condition(ENDOPROSTHETICS, joint="knee", surgery_date=date(2026, 2, 9))

    assert days(plan(request(template=AFTER_SURGERY, conditions=(knee,))))[0] == MONDAY
    earlier = plan(request(template=AFTER_SURGERY, start=date(2026, 3, 1), conditions=(knee,)))
    assert rules(earlier) == ["R8"]
    assert earlier.earliest_start == MONDAY


def test_a_joint_replacement_without_a_surgery_date_sets_no_post_operative_period():
    hip = Condition(ENDOPROSTHETICS, joint="hip", side="left")

    accepted = plan(request(template=AFTER_SURGERY, conditions=(hip,)))
    refused = plan(request(template=AFTER_SURGERY, conditions=(hip,), contraindications=(FEVER,)))

    assert days(accepted)[0] == MONDAY
    assert rules(refused) == ["R9"]
    assert refused.earliest_start == date(2026, 3, 7)


# --- R9 Absolute contraindications -----------------------------------------------------------

FEVER = Contraindication("fever", "Fever", BLOCKS, Period(date(2026, 3, 4), date(2026, 3, 6)))
BLOOD_THINNERS = Contraindication(
    "anticoagulants",
    "Blood thinners (anticoagulants)",
    WARNS,
    Period(date(2025, 11, 1)),
    advice="Bruises come easily: tell the therapist, who will use lighter pressure.",
)


def test_it_refuses_a_course_while_a_blocking_contraindication_lasts():
    result = plan(request(contraindications=(FEVER,)))

    assert rules(result) == ["R9"]
    assert result.reasons[0].message == (
        "Fever is recorded from 2026-03-04 to 2026-03-06. It rules out massage while it lasts, "
        "and it covers planned sessions 3–5."
    )
    assert result.earliest_start == date(2026, 3, 7)


def test_a_warning_contraindication_does_not_block():
    assert isinstance(plan(request(contraindications=(BLOOD_THINNERS,))), Plan)


def test_a_blocking_contraindication_carries_its_other_language_names_in_its_reason():
    fever = replace(
        FEVER,
        period=Period(date(2026, 3, 4)),
        translations={"name_ru": "Лихорадка", "advice_ru": "Не приходите.", "name_de": ""},
    )

    result = plan(request(contraindications=(fever,)))

    assert the_reason(result, "R9").params == {
        "name": "Fever",
        "name_ru": "Лихорадка",
        "start": "2026-03-04",
        "end": "",
        "sessions": "3–15",
    }
    assert result.reasons[0].message == (
        "Fever is recorded from 2026-03-04 with no end date. It rules out massage while it lasts, "
        "and it covers planned sessions 3–15."
    )
    assert result.earliest_start is None


# --- R10 Warnings ----------------------------------------------------------------------------


def test_an_accepted_plan_warns_about_blood_thinners_and_stage_3():
    stage_3 = Condition(KNEE_ARTHROSIS, stage=3, side="both")

    result = plan(
        request(template=KNEE_SPARING, conditions=(stage_3,), contraindications=(BLOOD_THINNERS,))
    )

    assert result.ok is True
    assert [w.rule for w in result.warnings] == ["R10", "R10"]
    assert [w.message for w in result.warnings] == [
        "Precaution: Blood thinners (anticoagulants) is recorded from 2025-11-01 and applies to "
        "planned sessions 1–15. Bruises come easily: tell the therapist, who will use lighter "
        "pressure.",
        "Knee arthrosis is at stage 3 (advanced): a surgical consultation is advised.",
    ]


def test_a_warning_without_advice_names_the_precaution_only():
    poor_supply = Contraindication(
        "poor_limb_blood_supply",
        "Poor blood supply to the leg",
        WARNS,
        Period(date(2026, 3, 10), date(2026, 3, 11)),
    )

    result = plan(request(contraindications=(poor_supply,)))

    assert [w.message for w in result.warnings] == [
        "Precaution: Poor blood supply to the leg is recorded from 2026-03-10 and applies to "
        "planned sessions 9–10."
    ]


def test_a_precaution_that_ended_before_the_course_gives_no_warning():
    ended = replace(BLOOD_THINNERS, period=Period(date(2025, 11, 1), date(2026, 2, 1)))

    assert plan(request(contraindications=(ended,))).warnings == ()


def test_a_warning_carries_its_code_and_its_other_language_name_and_advice():
    thinners = replace(
        BLOOD_THINNERS,
        period=Period(date(2026, 3, 14), date(2026, 3, 14)),
        translations={"name_ru": "Антикоагулянты", "advice_ru": "Скажите массажисту.", "x": "y"},
    )

    (warning,) = plan(request(contraindications=(thinners,))).warnings

    assert warning.params == {
        "name": "Blood thinners (anticoagulants)",
        "code": "anticoagulants",
        "start": "2026-03-14",
        "sessions": "13",
        "name_ru": "Антикоагулянты",
        "advice": "Bruises come easily: tell the therapist, who will use lighter pressure.",
        "advice_ru": "Скажите массажисту.",
    }


def test_a_warning_without_advice_carries_no_advice_in_any_language():
    quiet = replace(BLOOD_THINNERS, advice="", translations={"name_ru": "А", "advice_ru": "Б"})

    (warning,) = plan(request(contraindications=(quiet,))).warnings

    assert set(warning.params) == {"name", "code", "start", "sessions", "name_ru"}


def test_stage_3_of_another_condition_or_stage_2_gives_no_stage_warning():
    sciatica_3 = Condition(SCIATICA, stage=3)
    template = replace(CLASSIC, conditions=frozenset({KNEE_ARTHROSIS, SCIATICA}))

    assert plan(request(template=template, conditions=(KNEE, sciatica_3))).warnings == ()
    assert plan(request(conditions=(Condition(KNEE_ARTHROSIS, stage=2),))).warnings == ()


# --- R11 Stage and template ------------------------------------------------------------------


def test_it_refuses_a_template_made_for_another_condition():
    result = plan(request(template=SCIATICA_LEG))

    assert rules(result) == ["R11"]
    assert result.earliest_start is None
    assert result.reasons[0].message == (
        "The template “Leg massage for sciatica” is not meant for any of this patient's recorded "
        "conditions: choose a template for the patient's condition."
    )


def test_it_refuses_a_template_made_for_another_stage():
    template = replace(CLASSIC, name="Stage 1 knee massage", stages=frozenset({1}))

    result = plan(request(template=template, conditions=(Condition(KNEE_ARTHROSIS, stage=2),)))

    assert rules(result) == ["R11"]
    assert result.reasons[0].message == (
        "The template “Stage 1 knee massage” is meant for knee arthrosis at stage 1, but the "
        "patient's knee arthrosis is at stage 2: choose a template for that stage."
    )


def test_it_refuses_a_knee_massage_when_a_stage_2_knee_is_painful_on_touch():
    tender = Condition(KNEE_ARTHROSIS, stage=2, knee_tender=True)

    refused = plan(request(conditions=(tender,)))
    accepted = plan(request(template=KNEE_SPARING, conditions=(tender,)))

    assert rules(refused) == ["R11"]
    assert refused.reasons[0].message == (
        "The patient's knee is painful on touch (knee arthrosis, stage 2), and the template "
        "“Classic knee massage” includes massage of the knee: choose a knee-sparing template "
        "(hip, thigh, lower back)."
    )
    assert days(accepted)[0] == MONDAY


def test_a_tender_knee_at_stage_1_still_takes_the_full_procedure():
    tender = Condition(KNEE_ARTHROSIS, stage=1, knee_tender=True)

    assert days(plan(request(conditions=(tender,))))[0] == MONDAY


def test_it_refuses_to_plan_for_a_patient_with_no_recorded_condition():
    result = plan(request(conditions=()))

    assert rules(result) == ["R11"]
    assert "No condition is recorded" in result.reasons[0].message


def test_a_template_fits_when_any_of_the_patients_conditions_fits():
    both = (Condition(KNEE_ARTHROSIS, stage=2, knee_tender=True), Condition(SCIATICA))
    template = replace(CLASSIC, conditions=frozenset({KNEE_ARTHROSIS, SCIATICA}))

    assert isinstance(plan(request(template=template, conditions=both)), Plan)


def test_template_applies_says_whether_r11_lets_the_template_through():
    tender = Condition(KNEE_ARTHROSIS, stage=2, knee_tender=True)

    assert template_applies(CLASSIC, [KNEE]) is True
    assert template_applies(KNEE_SPARING, [tender]) is True
    assert template_applies(CLASSIC, [tender]) is False
    assert template_applies(SCIATICA_LEG, [KNEE]) is False
    assert template_applies(CLASSIC, []) is False


def test_a_template_for_several_stages_names_them_all_when_it_refuses():
    template = replace(CLASSIC, name="Early knee massage", stages=frozenset({2, 1}))

    result = plan(request(template=template, conditions=(Condition(KNEE_ARTHROSIS, stage=3),)))

    assert rules(result) == ["R11"]
    assert result.reasons[0].message == (
        "The template “Early knee massage” is meant for knee arthrosis at stage 1, 2, but the "
        "patient's knee arthrosis is at stage 3: choose a template for that stage."
    )


def test_a_template_for_the_patients_stage_fits():
    template = replace(CLASSIC, stages=frozenset({2, 3}))

    assert plan(request(template=template, conditions=(Condition(KNEE_ARTHROSIS, stage=3),))).ok


def test_a_knee_sparing_template_takes_a_tender_knee_at_stage_3():
    tender = Condition(KNEE_ARTHROSIS, stage=3, knee_tender=True)

    refused = plan(request(conditions=(tender,)))

    assert rules(refused) == ["R11"]
    assert refused.reasons[0].params == {"template": "Classic knee massage", "stage": 3}
    assert plan(request(template=KNEE_SPARING, conditions=(tender,))).ok


def test_one_knee_not_tender_lets_a_knee_template_through():
    tender = Condition(KNEE_ARTHROSIS, stage=2, side="left", knee_tender=True)
    calm = Condition(KNEE_ARTHROSIS, stage=2, side="right")

    assert plan(request(conditions=(tender, calm))).ok


def test_a_knee_arthrosis_of_the_wrong_stage_with_another_condition_fitting_is_accepted():
    template = replace(
        CLASSIC, conditions=frozenset({KNEE_ARTHROSIS, SCIATICA}), stages=frozenset({1})
    )

    assert plan(
        request(
            template=template, conditions=(Condition(KNEE_ARTHROSIS, stage=3), Condition(SCIATICA))
        )
    ).ok


# --- Several reasons and the earliest start ---------------------------------------------------


def test_it_reports_every_reason_at_once_and_no_date_when_the_course_size_is_wrong():
    result = plan(
        request(
            sessions=25,
            template=SCIATICA_LEG,
            other_courses=(JANUARY_COURSE,),
            start=date(2026, 2, 16),
            exacerbations=(Exacerbation(SCIATICA, Period(date(2026, 2, 20), date(2026, 2, 22))),),
            contraindications=(FEVER,),
        )
    )

    assert rules(result) == ["R2", "R4", "R6", "R9", "R11"]
    assert result.earliest_start is None


def test_the_earliest_start_clears_all_date_reasons_together():
    hip = Condition(ENDOPROSTHETICS, joint="hip", surgery_date=date(2026, 2, 14))
    template = replace(AFTER_SURGERY, conditions=frozenset({ENDOPROSTHETICS, KNEE_ARTHROSIS}))
    late_fever = replace(FEVER, period=Period(date(2026, 3, 14), date(2026, 3, 16)))

    result = plan(
        request(
            template=template,
            start=date(2026, 2, 16),
            conditions=(KNEE, hip),
            other_courses=(JANUARY_COURSE,),
            contraindications=(late_fever,),
        )
    )

    assert rules(result) == ["R4", "R8"]
    # R4 allows 28 Feb, R8 allows 7 March, but a course from then reaches the fever of 14–16
    # March; the first course clear of all three starts the day after the fever.
    assert result.earliest_start == date(2026, 3, 17)


def test_a_course_that_fits_before_a_far_open_ended_contraindication_is_offered():
    hip = Condition(ENDOPROSTHETICS, joint="hip", surgery_date=date(2026, 2, 14))
    thrombosis = Contraindication("thrombosis", "Thrombosis", BLOCKS, Period(date(2026, 6, 1)))

    result = plan(
        request(template=AFTER_SURGERY, conditions=(hip,), contraindications=(thrombosis,))
    )

    assert rules(result) == ["R8"]
    assert result.earliest_start == date(2026, 3, 7)


def test_no_date_is_offered_when_an_open_ended_period_starts_before_any_course_could_end():
    hip = Condition(ENDOPROSTHETICS, joint="hip", surgery_date=date(2026, 2, 14))
    thrombosis = Contraindication("thrombosis", "Thrombosis", BLOCKS, Period(date(2026, 3, 15)))

    result = plan(
        request(template=AFTER_SURGERY, conditions=(hip,), contraindications=(thrombosis,))
    )

    assert rules(result) == ["R8", "R9"]
    assert result.earliest_start is None


# --- R5 and the next course ------------------------------------------------------------------


def test_a_plan_gives_the_earliest_next_course_and_the_date_it_is_due():
    result = plan(request(start=date(2026, 1, 17)))

    assert days(result)[-1] == date(2026, 1, 31)
    assert result.earliest_next_course == date(2026, 2, 28)
    assert result.next_course_due == date(2026, 7, 17)


def test_the_earliest_next_course_follows_the_templates_break():
    result = plan(request(template=replace(CLASSIC, break_months=2), start=date(2026, 1, 17)))

    assert result.earliest_next_course == date(2026, 3, 31)


# --- Messages and validation ------------------------------------------------------------------


def test_a_reason_keeps_the_untranslated_template_and_iso_date_params():
    reason = the_reason(
        plan(request(start=date(2026, 2, 16), other_courses=(JANUARY_COURSE,))), "R4"
    )

    assert "%(date)s" in reason.template
    assert reason.params["date"] == "2026-02-28"
    assert reason.message == reason.template % reason.params


def test_plan_and_refusal_say_whether_the_course_may_go_ahead():
    assert plan(request()).ok is True
    assert plan(request(sessions=3)).ok is False


LENGTHS = whole("Session lengths must grow from the start length up to the target.")
BREAK = whole(
    "The break between courses is at least one month, and days after surgery cannot be negative."
)
STAGES = whole("Knee arthrosis stages are 1, 2 and 3.")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sessions": 0}, whole("A course needs at least one session.")),
        ({"cadence_days": 0}, whole("Sessions must be at least one day apart.")),
        ({"template": replace(CLASSIC, start_minutes=20)}, LENGTHS),
        ({"template": replace(CLASSIC, start_minutes=0, target_minutes=0)}, LENGTHS),
        ({"template": replace(CLASSIC, step_minutes=-1)}, LENGTHS),
        ({"template": replace(CLASSIC, break_months=0)}, BREAK),
        ({"template": replace(CLASSIC, postop_days=-1)}, BREAK),
        (
            {"conditions": (Condition("tennis_elbow"), Condition("gout"))},
            whole("Unknown condition kind: gout, tennis_elbow."),
        ),
        (
            {"exacerbations": (Exacerbation("gout", Period(MONDAY)),)},
            whole("Unknown condition kind: gout."),
        ),
        (
            {"template": replace(CLASSIC, conditions=frozenset({"gout"}))},
            whole("Unknown condition kind: gout."),
        ),
        ({"conditions": (Condition(KNEE_ARTHROSIS, stage=0),)}, STAGES),
        ({"conditions": (Condition(KNEE_ARTHROSIS, stage=4),)}, STAGES),
        ({"template": replace(CLASSIC, stages=frozenset({4}))}, STAGES),
        ({"template": replace(CLASSIC, stages=frozenset({0}))}, STAGES),
        (
            {
                "contraindications": (
                    Contraindication("x", "X", "maybe", Period(MONDAY)),
                    Contraindication("y", "Y", "often", Period(MONDAY)),
                )
            },
            whole("Unknown severity: maybe, often."),
        ),
    ],
)
def test_nonsense_requests_raise_value_error(changes, message):
    with pytest.raises(ValueError, match=message):
        plan(request(**changes))


def test_the_smallest_sensible_template_is_no_nonsense():
    template = replace(
        CLASSIC,
        start_minutes=1,
        step_minutes=0,
        target_minutes=1,
        break_months=1,
        postop_days=0,
        min_sessions=1,
        default_sessions=1,
    )

    result = plan(request(template=template, cadence_days=1))

    assert [(s.number, s.day, s.minutes) for s in result.sessions] == [(1, MONDAY, 1)]


def test_nonsense_periods_and_calendars_raise_value_error():
    with pytest.raises(
        ValueError, match=whole("A period cannot end (2026-03-01) before it starts (2026-03-02).")
    ):
        Period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(
        ValueError, match=whole("A working calendar needs at least one working weekday.")
    ):
        WorkingCalendar(working_weekdays=frozenset())
    with pytest.raises(
        ValueError, match=whole("Working weekdays are numbered 0 (Monday) to 6 (Sunday).")
    ):
        WorkingCalendar(working_weekdays=frozenset({7}))
    with pytest.raises(ValueError, match=whole("A course cannot end before its first session.")):
        OtherCourse(first_session=MONDAY, last_session=date(2026, 3, 1))
    assert Period(MONDAY, MONDAY).covers(MONDAY)
    assert OtherCourse(first_session=MONDAY, last_session=MONDAY).last_session == MONDAY


# --- Properties ------------------------------------------------------------------------------

BASE = date(2026, 3, 2)
WINDOW = 60  # days after BASE in which generated facts fall

offsets = st.integers(min_value=-10, max_value=WINDOW)
calendars = st.builds(
    WorkingCalendar,
    working_weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    closed_dates=st.frozensets(offsets.map(lambda n: BASE + timedelta(days=n)), max_size=8),
)


@st.composite
def templates(draw, **fixed):
    start = draw(st.integers(1, 60))
    values = {
        "start_minutes": start,
        "step_minutes": draw(st.integers(0, 10)),
        "target_minutes": draw(st.integers(start, 90)),
        "min_sessions": 1,
        "max_sessions": 30,
        "default_sessions": draw(st.integers(1, 30)),
        "cadence_days": draw(st.integers(1, 15)),
        "break_months": draw(st.integers(1, 2)),
        "postop_days": draw(st.integers(0, 30)),
    }
    return TemplateRules("generated", "Generated", frozenset(CONDITION_KINDS), **values | fixed)


@st.composite
def periods(draw):
    start = BASE + timedelta(days=draw(offsets))
    if draw(st.integers(0, 7)) == 0:
        return Period(start)
    return Period(start, start + timedelta(days=draw(st.integers(0, 20))))


@st.composite
def other_courses(draw):
    first = BASE + timedelta(days=draw(st.integers(-60, WINDOW)))
    return OtherCourse(first, first + timedelta(days=draw(st.integers(0, 30))))


@st.composite
def requests(draw):
    surgery = draw(st.none() | offsets.map(lambda n: BASE + timedelta(days=n - 20)))
    conditions = (Condition(KNEE_ARTHROSIS, stage=draw(st.integers(1, 3))),)
    if surgery:
        conditions += (Condition(ENDOPROSTHETICS, joint="knee", surgery_date=surgery),)
    return PlanRequest(
        template=draw(templates(default_sessions=draw(st.integers(1, 6)), max_sessions=6)),
        start=BASE + timedelta(days=draw(st.integers(0, 20))),
        cadence_days=draw(st.integers(1, 4)),
        calendar=draw(calendars),
        conditions=conditions,
        exacerbations=tuple(
            draw(
                st.lists(
                    st.builds(Exacerbation, st.sampled_from(CONDITION_KINDS), periods()), max_size=2
                )
            )
        ),
        contraindications=tuple(
            draw(
                st.lists(
                    st.builds(
                        Contraindication,
                        st.just("c"),
                        st.just("C"),
                        st.sampled_from([BLOCKS, WARNS]),
                        periods(),
                    ),
                    max_size=2,
                )
            )
        ),
        other_courses=tuple(draw(st.lists(other_courses(), max_size=2))),
    )


def accepted_by_the_rules(req: PlanRequest, dates: list[date]) -> bool:
    """R4 and R6–R9 written out plainly, to check plan() against."""
    gap = relativedelta(months=req.template.break_months)
    for other in req.other_courses:
        if dates[0] < other.last_session + gap and dates[-1] + gap > other.first_session:
            return False
    for item in req.exacerbations:
        end = item.period.end
        if item.condition == INFLAMMATORY_ARTHRITIS and end is not None:
            end = end + relativedelta(months=1) - timedelta(days=1)
        if any(Period(item.period.start, end).covers(day) for day in dates):
            return False
    for item in req.contraindications:
        if item.severity == BLOCKS and any(item.period.covers(day) for day in dates):
            return False
    postop = timedelta(days=req.template.postop_days)
    return all(dates[0] >= c.surgery_date + postop for c in req.conditions if c.surgery_date)


@settings(max_examples=200, deadline=None)
@given(calendars, offsets, st.integers(1, 25), st.integers(1, 15))
def test_session_dates_are_increasing_working_days_at_least_the_cadence_apart(
    calendar, offset, count, cadence
):
    start = BASE + timedelta(days=offset)

    dates = session_dates(calendar, start, count, cadence)

    assert len(dates) == count
    assert dates[0] == calendar.first_working_day_on_or_after(start) >= start
    assert all(calendar.is_working_day(day) for day in dates)
    for before, after in pairwise(dates):
        assert (after - before).days >= cadence
        # … and no working day that would have done was skipped.
        skipped = daily(before + timedelta(days=cadence), (after - before).days - cadence)
        assert not any(calendar.is_working_day(day) for day in skipped)


@settings(max_examples=200, deadline=None)
@given(templates(), st.integers(1, 40))
def test_session_lengths_start_at_the_start_never_decrease_and_never_pass_the_target(
    template, count
):
    minutes = [session_minutes(template, n) for n in range(1, count + 1)]

    assert minutes[0] == template.start_minutes
    assert all(a <= b for a, b in pairwise(minutes))
    assert max(minutes) <= template.target_minutes
    if template.step_minutes and count > template.target_minutes:
        assert minutes[-1] == template.target_minutes


@settings(max_examples=200, deadline=None)
@given(requests())
def test_plan_agrees_with_the_rules_and_every_refusal_names_one(req):
    result = plan(req)

    dates = session_dates(req.calendar, req.start, req.template.default_sessions, req.cadence_days)
    assert result.ok == accepted_by_the_rules(req, dates)
    if isinstance(result, Refusal):
        assert result.reasons
        assert {reason.rule for reason in result.reasons} <= {
            "R2",
            "R4",
            "R6",
            "R7",
            "R8",
            "R9",
            "R11",
        }
        assert all(reason.message for reason in result.reasons)
    else:
        assert days(result) == dates


@settings(max_examples=200, deadline=None)
@given(requests())
def test_the_earliest_start_is_accepted_and_nothing_before_it_is(req):
    result = plan(req)
    if result.ok:
        return
    earliest = result.earliest_start

    if earliest is None:
        # No start in the next 200 days is accepted: every generated fact ends well before that.
        for day in daily(req.start, 200):
            assert not plan(replace(req, start=day)).ok
        return
    again = plan(replace(req, start=earliest))
    assert isinstance(again, Plan)
    assert days(again)[0] == earliest
    for day in daily(req.start, (earliest - req.start).days):
        # A closed day just before it starts the same course; no earlier course is accepted.
        earlier = plan(replace(req, start=day))
        assert not earlier.ok or days(earlier)[0] == earliest
