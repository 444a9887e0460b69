"""protocols/planning.py: the planner's input from the database or from JSON facts, its answer
as text and JSON, and the next course's window.

Dates are fixed (2026-03-02 is a Monday); clinic A works Monday to Saturday. The tests of the JSON
facts, the answers and the window need no database (the mutation run tries them first).
"""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

import planner
from clinic.models import ClosedDate
from protocols.models import Course
from protocols.planning import (
    PlanInputError,
    answer_as_json,
    build_request,
    clinic_calendar,
    next_course_window,
    other_courses,
    plan_for_patient,
    reason_as_dict,
    reason_message,
    request_from_facts,
    rules_from_snapshot,
    rules_from_template,
)
from protocols.snapshot import template_snapshot
from tests import workspace
from tests.factories import MONDAY, CourseFactory, ExacerbationFactory

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
    assert snapshot["name"]["ru"] == "Гонартроз 1–2 степени: классический массаж"


def test_a_snapshot_holds_what_the_documents_show(classic):
    step = classic.steps.all()[0]
    section = classic.handout_sections.all()[0]

    snapshot = template_snapshot(classic)

    assert set(snapshot) == {
        "format", "slug", "name", "description", "method_style", "conditions", "stages",
        "start_minutes", "step_minutes", "target_minutes", "min_sessions", "max_sessions",
        "default_sessions", "cadence_days", "break_months", "postop_days", "knee_sparing",
        "in_warm_water", "active", "buffer_minutes", "steps", "handout_sections",
    }  # fmt: skip
    assert snapshot["description"] == {"en": classic.description, "ru": classic.description_ru}
    assert (snapshot["method_style"], snapshot["in_warm_water"]) == (
        classic.method_style,
        classic.in_warm_water,
    )
    assert snapshot["buffer_minutes"] == classic.buffer_minutes == 10
    assert len(snapshot["steps"]) == classic.steps.count()
    assert snapshot["steps"][0] == {
        "phase": step.phase,
        "technique": step.technique,
        "body_area": {"en": step.body_area, "ru": step.body_area_ru},
        "instruction": {"en": step.instruction, "ru": step.instruction_ru},
        "repetitions": {"en": step.repetitions, "ru": step.repetitions_ru},
    }
    assert snapshot["handout_sections"][0] == {
        "title": {"en": section.title, "ru": section.title_ru},
        "text": {"en": section.text, "ru": section.text_ru},
    }
    assert len(snapshot["handout_sections"]) == classic.handout_sections.count()
    assert snapshot["description"]["ru"] and snapshot["steps"][0]["instruction"]["ru"]


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
        "Отмечено обострение (гонартроз) с 1 марта 2026, дата окончания не указана: во время "
        "обострения сеансы не проводятся, а на него приходятся запланированные сеансы № 1–15."
    )


def test_a_contraindication_is_named_in_the_active_language():
    with translation.override("ru"):
        russian = reason_message(FEVER)
    english = reason_message(FEVER)

    assert russian.startswith("Лихорадка: отмечено с 1 марта 2026, дата окончания не указана.")
    assert russian.endswith("запланированные сеансы № 3.")
    assert english == (
        "Fever is recorded from 1 Mar 2026 with no end date. It rules out massage while it "
        "lasts, and it covers planned sessions 3."
    )


def test_a_contraindication_without_a_russian_name_keeps_its_name():
    nameless = planner.Reason(FEVER.rule, FEVER.template, {**FEVER.params, "name_ru": ""})

    with translation.override("ru"):
        assert reason_message(nameless).startswith("Fever: отмечено с 1 марта 2026")


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
        "reasons": [{"rule": "R9", "message": reason_message(FEVER, iso_dates=True)}],
        "earliest_start": "2026-03-07",
    }
    assert undated["earliest_start"] is None


# --- Requests from JSON facts (plan_course --input), without the database --------------------

RULES = planner.TemplateRules(
    slug="classic", name="Classic", conditions=frozenset({planner.KNEE_ARTHROSIS})
)
KINDS = {
    code: SimpleNamespace(
        code=code,
        name=name,
        severity=severity,
        patient_text=text,
        staff_text="",
        planner_translations=lambda name=name: {"name_ru": f"{name} (ru)", "advice_ru": ""},
    )
    for code, name, severity, text in [
        ("fever", "Fever", planner.BLOCKS, "Stay at home."),
        ("anticoagulants", "Blood thinners", planner.WARNS, ""),
    ]
}
FACTS = {
    "start": "2026-12-01",
    "sessions": 16,
    "cadence_days": 2,
    "clinic": {"closed_weekdays": [6, 5], "closed_dates": ["2026-12-25", "2026-12-31"]},
    "patient": {
        "conditions": [
            {"kind": "knee_arthrosis", "stage": 2, "side": "left", "knee_tender": True},
            {
                "kind": "endoprosthetics",
                "joint": "hip",
                "side": "right",
                "surgery_date": "2026-10-01",
            },
            {"kind": "sciatica", "side": "both", "stage": 3},
        ],
        "exacerbations": [
            {"condition": "sciatica", "start": "2026-11-01", "end": "2026-11-01"},
            {"condition": "inflammatory_arthritis", "start": "2026-11-20"},
        ],
        "contraindications": [
            {"kind": "anticoagulants", "start": "2026-01-01", "end": None},
            {"kind": "fever", "start": "2026-11-20", "end": "2026-11-24"},
        ],
        "previous_courses": [
            {"first_session": "2026-06-01", "last_session": "2026-07-10"},
            {"first_session": "2026-09-01", "last_session": "2026-09-01"},
        ],
    },
}


def facts(**changes):
    return {**FACTS, **changes}


def patient_facts(**changes):
    return facts(patient={**FACTS["patient"], **changes})


def from_facts(payload):
    return request_from_facts(payload, rules=RULES, contraindication_kinds=KINDS)


def test_every_fact_of_the_json_reaches_the_planner():
    request = from_facts(FACTS)

    assert request == planner.PlanRequest(
        template=RULES,
        start=date(2026, 12, 1),
        sessions=16,
        cadence_days=2,
        calendar=planner.WorkingCalendar(
            working_weekdays=frozenset({0, 1, 2, 3, 4}),
            closed_dates=frozenset({date(2026, 12, 25), date(2026, 12, 31)}),
        ),
        conditions=(
            planner.Condition("knee_arthrosis", stage=2, side="left", knee_tender=True),
            planner.Condition(
                "endoprosthetics", side="right", joint="hip", surgery_date=date(2026, 10, 1)
            ),
            planner.Condition("sciatica", side="both"),
        ),
        exacerbations=(
            planner.Exacerbation("sciatica", planner.Period(date(2026, 11, 1), date(2026, 11, 1))),
            planner.Exacerbation("inflammatory_arthritis", planner.Period(date(2026, 11, 20))),
        ),
        contraindications=(
            planner.Contraindication(
                "anticoagulants", "Blood thinners", planner.WARNS, planner.Period(date(2026, 1, 1))
            ),
            planner.Contraindication(
                "fever",
                "Fever",
                planner.BLOCKS,
                planner.Period(date(2026, 11, 20), date(2026, 11, 24)),
                advice="Stay at home.",
            ),
        ),
        other_courses=(
            planner.OtherCourse(date(2026, 6, 1), date(2026, 7, 10)),
            planner.OtherCourse(date(2026, 9, 1), date(2026, 9, 1)),
        ),
    )
    # Compared apart: a contraindication's translations are not part of its equality.
    assert [c.translations for c in request.contraindications] == [
        {"name_ru": "Blood thinners (ru)", "advice_ru": ""},
        {"name_ru": "Fever (ru)", "advice_ru": ""},
    ]


def test_facts_left_out_take_the_templates_and_an_open_clinic():
    request = from_facts({"start": "2026-12-01"})

    assert request == planner.PlanRequest(template=RULES, start=date(2026, 12, 1))
    assert request.calendar.working_weekdays == frozenset(range(7))
    assert (request.sessions, request.cadence_days) == (None, None)


def test_a_tender_knee_needs_a_true_value():
    conditions = [
        {"kind": "knee_arthrosis", "stage": 2, "knee_tender": value} for value in (1, 0, None, "")
    ]

    request = from_facts(patient_facts(conditions=conditions))

    assert [c.knee_tender for c in request.conditions] == [True, False, False, False]


def whole(message: str) -> str:
    return f"^{re.escape(message)}$"


KNOWN_KINDS = "knee_arthrosis, endoprosthetics, sciatica, inflammatory_arthritis"
DATE = "expected a date as YYYY-MM-DD, got"
WEEKDAYS = "clinic.closed_weekdays: weekdays are numbered 0 (Monday) to 6."


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "request: expected an object."),
        (facts(start=None), f"start: {DATE} None."),
        (facts(start=20261201), f"start: {DATE} 20261201."),
        (facts(start="2026-02-30"), "start: '2026-02-30' is not a valid date (YYYY-MM-DD)."),
        (facts(sessions=0), "sessions: expected a whole number of at least 1, got 0."),
        (facts(sessions=True), "sessions: expected a whole number of at least 1, got True."),
        (facts(sessions="16"), "sessions: expected a whole number of at least 1, got '16'."),
        (facts(cadence_days=0), "cadence_days: expected a whole number of at least 1, got 0."),
        (facts(cadence_days=1.5), "cadence_days: expected a whole number of at least 1, got 1.5."),
        (facts(clinic=None), "clinic: expected an object."),
        (facts(clinic={"closed_weekdays": "6"}), "clinic.closed_weekdays: expected a list."),
        (facts(clinic={"closed_weekdays": [7]}), WEEKDAYS),
        (facts(clinic={"closed_weekdays": [-1]}), WEEKDAYS),
        (facts(clinic={"closed_weekdays": [True]}), WEEKDAYS),
        (facts(clinic={"closed_weekdays": [False]}), WEEKDAYS),
        (facts(clinic={"closed_weekdays": ["6"]}), WEEKDAYS),
        (
            facts(clinic={"closed_weekdays": [6, 5, 4, 3, 2, 1, 0]}),
            "clinic.closed_weekdays: the clinic needs at least one working day.",
        ),
        (facts(clinic={"closed_dates": "2026-12-25"}), "clinic.closed_dates: expected a list."),
        (
            facts(clinic={"closed_dates": ["2026-12-25", None]}),
            f"clinic.closed_dates[1]: {DATE} None.",
        ),
        (facts(patient=[]), "patient: expected an object."),
        (patient_facts(conditions={}), "patient.conditions: expected a list."),
        (
            patient_facts(conditions=[{"kind": "sciatica"}, 1]),
            "patient.conditions[1]: expected an object.",
        ),
        (
            patient_facts(conditions=[{"kind": "sciatica"}, {"kind": "gout"}]),
            f"patient.conditions[1].kind: unknown condition kind 'gout' (known: {KNOWN_KINDS}).",
        ),
        (
            patient_facts(conditions=[{"stage": 2}]),
            f"patient.conditions[0].kind: unknown condition kind None (known: {KNOWN_KINDS}).",
        ),
        (
            patient_facts(conditions=[{"kind": "sciatica"}, {"kind": "knee_arthrosis"}]),
            "patient.conditions[1].stage: knee arthrosis needs a stage of 1, 2 or 3.",
        ),
        (
            patient_facts(conditions=[{"kind": "knee_arthrosis", "stage": "2"}]),
            "patient.conditions[0].stage: knee arthrosis needs a stage of 1, 2 or 3.",
        ),
        (
            patient_facts(conditions=[{"kind": "knee_arthrosis", "stage": 0}]),
            "patient.conditions[0].stage: knee arthrosis needs a stage of 1, 2 or 3.",
        ),
        (
            patient_facts(conditions=[{"kind": "sciatica", "surgery_date": "soon"}]),
            "patient.conditions[0].surgery_date: 'soon' is not a valid date (YYYY-MM-DD).",
        ),
        (
            patient_facts(conditions=[{"kind": "sciatica"}, {"kind": "endoprosthetics"}]),
            "patient.conditions[1].surgery_date: joint replacement needs its surgery date.",
        ),
        (patient_facts(exacerbations=None), "patient.exacerbations: expected a list."),
        (
            patient_facts(exacerbations=[{"condition": "sciatica", "start": "2026-11-01"}, "x"]),
            "patient.exacerbations[1]: expected an object.",
        ),
        (
            patient_facts(exacerbations=[{"condition": "sciatica", "start": "2026-11-01"}, {}]),
            "patient.exacerbations[1].condition: unknown condition kind None.",
        ),
        (
            patient_facts(exacerbations=[{"condition": "sciatica"}]),
            f"patient.exacerbations[0].start: {DATE} None.",
        ),
        (
            patient_facts(
                exacerbations=[{"condition": "sciatica", "start": "2026-11-01", "end": 1}]
            ),
            f"patient.exacerbations[0].end: {DATE} 1.",
        ),
        (
            patient_facts(
                exacerbations=[
                    {"condition": "sciatica", "start": "2026-11-05", "end": "2026-11-04"}
                ]
            ),
            "patient.exacerbations[0]: the end 2026-11-04 is before the start 2026-11-05.",
        ),
        (patient_facts(contraindications={}), "patient.contraindications: expected a list."),
        (
            patient_facts(contraindications=[{"kind": "fever", "start": "2026-11-01"}, []]),
            "patient.contraindications[1]: expected an object.",
        ),
        (
            patient_facts(
                contraindications=[{"kind": "fever", "start": "2026-11-01"}, {"kind": "x"}]
            ),
            "patient.contraindications[1].kind: unknown contraindication code 'x' "
            "(known: anticoagulants, fever).",
        ),
        (
            patient_facts(
                contraindications=[{"kind": "fever", "start": "2026-11-02", "end": "2026-11-01"}]
            ),
            "patient.contraindications[0]: the end 2026-11-01 is before the start 2026-11-02.",
        ),
        (patient_facts(previous_courses="June"), "patient.previous_courses: expected a list."),
        (
            patient_facts(previous_courses=[FACTS["patient"]["previous_courses"][0], 2]),
            "patient.previous_courses[1]: expected an object.",
        ),
        (
            patient_facts(previous_courses=[{"last_session": "2026-07-10"}]),
            f"patient.previous_courses[0].first_session: {DATE} None.",
        ),
        (
            patient_facts(previous_courses=[{"first_session": "2026-06-01"}]),
            f"patient.previous_courses[0].last_session: {DATE} None.",
        ),
        (
            patient_facts(
                previous_courses=[
                    FACTS["patient"]["previous_courses"][0],
                    {"first_session": "2026-06-02", "last_session": "2026-06-01"},
                ]
            ),
            "patient.previous_courses[1]: the last session 2026-06-01 is before the first "
            "2026-06-02.",
        ),
    ],
)
def test_malformed_facts_are_refused_with_a_message_naming_the_field(payload, message):
    with pytest.raises(PlanInputError, match=whole(message)):
        from_facts(payload)


# --- Answers without the database -------------------------------------------------------------

STAGE_3 = planner.Reason("R10", planner.R10_STAGE_3)


def test_the_json_answer_of_a_plan_lists_every_session_and_warning():
    answer = planner.Plan(
        sessions=(
            planner.PlannedSession(1, date(2026, 3, 2), 7),
            planner.PlannedSession(2, date(2026, 3, 4), 8),
        ),
        warnings=(STAGE_3, FEVER),
        earliest_next_course=date(2026, 4, 4),
        next_course_due=date(2026, 9, 2),
    )

    assert answer_as_json(answer) == {
        "ok": True,
        "sessions": [
            {"number": 1, "date": "2026-03-02", "minutes": 7},
            {"number": 2, "date": "2026-03-04", "minutes": 8},
        ],
        "warnings": [
            {"rule": "R10", "message": STAGE_3.message},
            {"rule": "R9", "message": FEVER.message},
        ],
        "earliest_next_course": "2026-04-04",
        "next_course_due": "2026-09-02",
    }


def test_the_json_answer_of_a_refusal_names_every_reason_and_the_earliest_start():
    dated = planner.Refusal(reasons=(FLARE, FEVER), earliest_start=date(2026, 3, 7))
    undated = planner.Refusal(reasons=(FLARE,), earliest_start=None)

    assert answer_as_json(dated) == {
        "ok": False,
        "reasons": [
            {"rule": "R6", "message": FLARE.message},
            {"rule": "R9", "message": FEVER.message},
        ],
        "earliest_start": "2026-03-07",
    }
    assert answer_as_json(undated)["earliest_start"] is None
    with translation.override("ru"):
        assert answer_as_json(undated)["reasons"][0]["message"] == reason_message(
            FLARE, iso_dates=True
        )


def test_rules_come_from_a_snapshot_dict():
    snapshot = {
        "format": 2,
        "slug": "s",
        "name": {"en": "S", "ru": ""},
        "description": {"en": "", "ru": ""},
        "method_style": "classic",
        "in_warm_water": False,
        "active": True,
        "buffer_minutes": 10,
        "start_minutes": 10,
        "step_minutes": 2,
        "target_minutes": 20,
        "min_sessions": 5,
        "max_sessions": 10,
        "default_sessions": 6,
        "cadence_days": 3,
        "break_months": 2,
        "postop_days": 30,
        "knee_sparing": True,
        "conditions": ["sciatica", "knee_arthrosis"],
        "stages": [2, 3],
        "steps": [],
    }

    assert rules_from_snapshot(snapshot) == planner.TemplateRules(
        slug="s",
        name="S",
        conditions=frozenset({"sciatica", "knee_arthrosis"}),
        stages=frozenset({2, 3}),
        start_minutes=10,
        step_minutes=2,
        target_minutes=20,
        min_sessions=5,
        max_sessions=10,
        default_sessions=6,
        cadence_days=3,
        break_months=2,
        postop_days=30,
        knee_sparing=True,
    )


# --- The next course's window (R4, R5), without the database ----------------------------------


def a_course(status, *dates, cancelled=(), snapshot=None):
    """A course as the patient page hands it over: sessions prefetched, in any order."""
    sessions = [SimpleNamespace(date=day, status="planned") for day in dates]
    sessions += [SimpleNamespace(date=day, status="cancelled") for day in cancelled]
    return SimpleNamespace(
        status=status,
        sessions=SimpleNamespace(all=lambda: sessions),
        snapshot=SimpleNamespace(break_months=(snapshot or {}).get("break_months", 1)),
    )


@pytest.fixture
def today_is(monkeypatch):
    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    set_today(date(2026, 5, 1))
    return set_today


MARCH = (date(2026, 3, 20), date(2026, 3, 2), date(2026, 4, 3))  # first 2 March, last 3 April


def test_no_course_that_holds_dates_gives_no_window(today_is):
    assert next_course_window([]) is None
    assert next_course_window([a_course("cancelled", *MARCH)]) is None
    assert next_course_window([a_course("completed", cancelled=MARCH)]) is None


@pytest.mark.parametrize(
    ("status", "running"),
    [("planned", True), ("active", True), ("on_hold", True), ("completed", False)],
)
def test_the_window_counts_from_the_first_and_last_sessions(today_is, status, running):
    course = a_course(status, *MARCH)

    assert next_course_window([course]) == {
        "course": course,
        "earliest": date(2026, 5, 3),
        "due": date(2026, 9, 2),
        "overdue": False,
        "running": running,
        "open_now": False,  # 3 May is still to come on 1 May
        "start": date(2026, 5, 3),
    }


def test_cancelled_sessions_are_not_the_first_or_the_last(today_is):
    course = a_course(
        "completed", date(2026, 3, 4), date(2026, 3, 30), cancelled=[MONDAY, date(2026, 4, 3)]
    )

    window = next_course_window([course])

    assert (window["earliest"], window["due"]) == (date(2026, 4, 30), date(2026, 9, 4))


def test_the_break_is_the_templates_as_planned(today_is):
    two_months = a_course("completed", *MARCH, snapshot={"break_months": 2})
    unknown = a_course("completed", *MARCH, snapshot={})

    assert next_course_window([two_months])["earliest"] == date(2026, 6, 3)
    assert next_course_window([unknown])["earliest"] == date(2026, 5, 3)


@pytest.mark.parametrize(
    ("today", "status", "overdue"),
    [
        (date(2026, 9, 2), "completed", False),
        (date(2026, 9, 3), "completed", True),
        (date(2026, 9, 3), "planned", False),
        (date(2026, 9, 3), "active", False),
        (date(2026, 9, 3), "on_hold", False),
    ],
)
def test_a_completed_course_is_overdue_after_its_due_date(today_is, today, status, overdue):
    today_is(today)

    assert next_course_window([a_course(status, *MARCH)])["overdue"] is overdue


def test_of_overlapping_courses_the_one_starting_last_gives_the_window(today_is):
    # Recorded before R4 was checked, or through the admin: the later start still wins.
    march = a_course("completed", *MARCH)
    overlapping = a_course("completed", date(2026, 3, 20), date(2026, 4, 20))

    for courses in ([march, overlapping], [overlapping, march]):
        assert next_course_window(courses)["course"] is overlapping


def test_the_latest_course_gives_the_window_in_any_order(today_is):
    march = a_course("completed", *MARCH)
    september = a_course("completed", date(2026, 9, 1), date(2026, 9, 30))
    later_cancelled = a_course("cancelled", date(2026, 11, 2))

    for courses in ([march, september, later_cancelled], [later_cancelled, september, march]):
        window = next_course_window(courses)
        assert window["course"] is september
        assert (window["earliest"], window["due"]) == (date(2026, 10, 30), date(2027, 3, 1))
