"""protocols/planning.py: the planner's input read from the database, its answer as text.

Dates are fixed (2026-03-02 is a Monday); clinic A works Monday to Saturday.
"""

from datetime import date, timedelta

import pytest
from django.utils import translation

import planner
from clinic.models import ClosedDate
from protocols.models import Course
from protocols.planning import (
    answer_as_json,
    build_request,
    clinic_calendar,
    other_courses,
    plan_for_patient,
    reason_as_dict,
    reason_message,
    rules_from_snapshot,
    rules_from_template,
    template_snapshot,
)
from tests import workspace
from tests.factories import MONDAY, CourseFactory, ExacerbationFactory

pytestmark = pytest.mark.django_db

# A course of 15 sessions every other day from MONDAY, Sundays closed: sessions 11 to 15 fall
# on 25, 27 and 30 March, 1 and 3 April.
SESSION_11, SESSION_15 = date(2026, 3, 25), date(2026, 4, 3)


@pytest.fixture
def classic(clinic_a):
    return workspace.classic(clinic_a)


@pytest.fixture
def knee_patient(clinic_a):
    return workspace.knee_patient(clinic_a)


def plan_from(patient, template, start):
    return plan_for_patient(patient=patient, template=template, start=start)


# --- Other courses (R4) ----------------------------------------------------------------------


def test_another_courses_cancelled_sessions_hold_no_dates(knee_patient, classic):
    course = CourseFactory(
        patient=knee_patient, status=Course.COMPLETED, cancelled=[12, 13, 14, 15]
    )

    assert course.sessions.get(number=11).date == SESSION_11
    assert other_courses(knee_patient) == (planner.OtherCourse(MONDAY, SESSION_11),)
    # A month after session 11 is allowed although sessions 12 to 15 were to come later.
    assert plan_from(knee_patient, classic, SESSION_11 + timedelta(days=31)).ok
    refused = plan_from(knee_patient, classic, SESSION_11 + timedelta(days=30))
    assert [r.rule for r in refused.reasons] == ["R4"]
    assert refused.reasons[0].params["other_last"] == "2026-03-25"
    assert refused.earliest_start == date(2026, 4, 25)


def test_a_cancelled_first_session_does_not_start_the_other_course(knee_patient):
    CourseFactory(patient=knee_patient, status=Course.ACTIVE, cancelled=[1])

    assert other_courses(knee_patient) == (planner.OtherCourse(date(2026, 3, 4), SESSION_15),)


@pytest.mark.parametrize(
    "status", [Course.PLANNED, Course.ACTIVE, Course.ON_HOLD, Course.COMPLETED]
)
def test_every_course_not_cancelled_holds_its_dates(knee_patient, classic, status):
    CourseFactory(patient=knee_patient, status=status)

    assert other_courses(knee_patient) == (planner.OtherCourse(MONDAY, SESSION_15),)
    assert not plan_from(knee_patient, classic, date(2026, 4, 20)).ok


def test_a_cancelled_course_or_one_with_every_session_cancelled_holds_no_dates(
    knee_patient, classic
):
    CourseFactory(patient=knee_patient, status=Course.CANCELLED)
    CourseFactory(patient=knee_patient, status=Course.COMPLETED, cancelled=list(range(1, 16)))
    CourseFactory(patient=knee_patient, status=Course.PLANNED, sessions=0)
    CourseFactory(status=Course.COMPLETED)  # another patient's

    assert other_courses(knee_patient) == ()
    assert plan_from(knee_patient, classic, date(2026, 4, 6)).ok


def test_the_course_being_replanned_is_not_another_course(knee_patient, classic):
    course = CourseFactory(patient=knee_patient, status=Course.ON_HOLD)
    later = CourseFactory(patient=knee_patient, start=date(2026, 9, 1))

    assert other_courses(knee_patient, exclude_course=course) == (
        planner.OtherCourse(date(2026, 9, 1), date(2026, 10, 2)),
    )
    request = build_request(
        patient=knee_patient, rules=rules_from_template(classic), start=MONDAY, exclude_course=later
    )
    assert request.other_courses == (planner.OtherCourse(MONDAY, SESSION_15),)


# --- The rest of the request -----------------------------------------------------------------


def test_the_request_carries_the_patients_facts_and_the_clinics_calendar(
    knee_patient, classic, clinic_a
):
    ClosedDate.objects.create(clinic=clinic_a, date=date(2026, 3, 1))  # before the start
    ClosedDate.objects.create(clinic=clinic_a, date=date(2026, 3, 3))
    ExacerbationFactory(condition=knee_patient.conditions.get(), start=date(2026, 1, 5))

    request = build_request(
        patient=knee_patient,
        rules=rules_from_template(classic),
        start=MONDAY,
        sessions=16,
        cadence_days=3,
    )

    assert (request.start, request.sessions, request.cadence_days) == (MONDAY, 16, 3)
    assert request.calendar == planner.WorkingCalendar(
        working_weekdays=frozenset(range(6)), closed_dates=frozenset({date(2026, 3, 3)})
    )
    assert request.conditions == (planner.Condition("knee_arthrosis", stage=2, side="left"),)
    assert request.exacerbations == (
        planner.Exacerbation("knee_arthrosis", planner.Period(date(2026, 1, 5))),
    )
    assert clinic_calendar(clinic_a).closed_dates == {date(2026, 3, 1), date(2026, 3, 3)}


def test_a_snapshot_gives_the_same_rules_as_its_template(classic):
    classic.stages = [1, 2]
    classic.break_months = 2
    classic.postop_days = 30
    classic.knee_sparing = True

    snapshot = template_snapshot(classic)

    assert rules_from_snapshot(snapshot) == rules_from_template(classic)
    assert rules_from_snapshot(snapshot).stages == frozenset({1, 2})
    assert rules_from_snapshot(snapshot).conditions == frozenset({"knee_arthrosis"})
    assert snapshot["name_ru"] == "Гонартроз 1–2 степени: классический массаж"


# --- Reasons in the user's language ----------------------------------------------------------

FLARE = planner.Reason(
    "R6",
    planner.R6_OPEN,
    {"condition": "knee arthrosis", "start": "2026-03-01", "end": "", "sessions": "1–15"},
)
FEVER = planner.Reason(
    "R9",
    planner.R9_OPEN,
    {"name": "Fever", "name_ru": "Лихорадка", "start": "2026-03-01", "end": "", "sessions": "3"},
)


def test_an_exacerbation_names_its_condition_in_russian():
    with translation.override("ru"):
        message = reason_message(FLARE)

    assert message == (
        "Отмечено обострение (гонартроз) с 2026-03-01, дата окончания не указана: во время "
        "обострения сеансы не проводятся, а на него приходятся запланированные сеансы № 1–15."
    )


def test_a_contraindication_is_named_in_the_active_language():
    with translation.override("ru"):
        russian = reason_message(FEVER)
    english = reason_message(FEVER)

    assert russian.startswith("Лихорадка: отмечено с 2026-03-01, дата окончания не указана.")
    assert russian.endswith("запланированные сеансы № 3.")
    assert english == (
        "Fever is recorded from 2026-03-01 with no end date. It rules out massage while it "
        "lasts, and it covers planned sessions 3."
    )


def test_a_contraindication_without_a_russian_name_keeps_its_name():
    nameless = planner.Reason(FEVER.rule, FEVER.template, {**FEVER.params, "name_ru": ""})

    with translation.override("ru"):
        assert reason_message(nameless).startswith("Fever: отмечено с 2026-03-01")


def test_a_stored_reason_reads_the_same_as_the_planners():
    stored = reason_as_dict(FEVER)

    assert stored == {"rule": "R9", "template": planner.R9_OPEN, "params": FEVER.params}
    assert stored["params"] is not FEVER.params  # a copy, safe to store
    assert reason_message(stored) == reason_message(FEVER)
    with translation.override("ru"):
        assert reason_message(stored) == reason_message(FEVER)
        assert reason_message({"rule": "R10", "template": planner.R10_STAGE_3}) == (
            "Гонартроз 3 стадии (выраженный): рекомендуется консультация хирурга-ортопеда."
        )


def test_the_json_answer_of_a_plan_and_of_a_refusal(knee_patient, classic):
    accepted = answer_as_json(plan_from(knee_patient, classic, MONDAY))
    refused = answer_as_json(planner.Refusal(reasons=(FEVER,), earliest_start=date(2026, 3, 7)))
    undated = answer_as_json(planner.Refusal(reasons=(FLARE,), earliest_start=None))

    assert accepted["ok"] is True
    assert accepted["sessions"][:2] == [
        {"number": 1, "date": "2026-03-02", "minutes": 7},
        {"number": 2, "date": "2026-03-03", "minutes": 8},
    ]
    assert accepted["warnings"] == []
    assert accepted["earliest_next_course"] == "2026-04-18"
    assert accepted["next_course_due"] == "2026-09-02"
    assert refused == {
        "ok": False,
        "reasons": [{"rule": "R9", "message": reason_message(FEVER)}],
        "earliest_start": "2026-03-07",
    }
    assert undated["earliest_start"] is None
