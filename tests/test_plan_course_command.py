"""``manage.py plan_course``: the command-line contract of the planner."""

import copy
import json
from unittest import mock

import pytest
from django.core.management import ManagementUtility
from django.db import connections

from protocols.models import Course, Session
from tests.factories import ConditionFactory
from tests.workspace import today

# The example request of the issue: the knee exacerbation has no end, so no date can be known.
EXAMPLE = {
    "template": "knee-arthrosis-classic",
    "start": "2026-12-01",
    "sessions": 15,
    "cadence_days": 2,
    "clinic": {"closed_weekdays": [6], "closed_dates": ["2026-12-25"]},
    "patient": {
        "conditions": [
            {"kind": "knee_arthrosis", "stage": 2, "side": "left"},
            {
                "kind": "endoprosthetics",
                "joint": "knee",
                "side": "right",
                "surgery_date": "2026-10-01",
            },
            {"kind": "sciatica", "side": "left"},
            {"kind": "inflammatory_arthritis"},
        ],
        "exacerbations": [{"condition": "knee_arthrosis", "start": "2026-11-01", "end": None}],
        "contraindications": [{"kind": "fever", "start": "2026-11-20", "end": "2026-11-24"}],
        "previous_courses": [{"first_session": "2026-06-01", "last_session": "2026-07-10"}],
    },
}


def run(capsys, tmp_path, *args, payload=None):
    """Run the command as the shell would; return (exit status, stdout, stderr)."""
    argv = ["manage.py", "plan_course", *args]
    if payload is not None:
        path = tmp_path / "request.json"
        path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
        argv += ["--input", str(path)]
    status = 0
    # run_from_argv closes the database connections when it ends, as a process would; here that
    # would end the test's transaction, so it is left open.
    with mock.patch.object(connections, "close_all"):
        try:
            ManagementUtility(argv).execute()
        except SystemExit as exit_:
            status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def with_changes(**patient_changes):
    request = copy.deepcopy(EXAMPLE)
    request["patient"].update(patient_changes)
    return request


@pytest.mark.django_db
def test_the_issue_example_is_refused_for_the_open_ended_exacerbation(capsys, tmp_path):
    status, out, err = run(capsys, tmp_path, payload=EXAMPLE)

    answer = json.loads(out)
    assert status == 0
    assert err == ""
    assert answer["ok"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["R6"]
    assert "2026-11-01" in answer["reasons"][0]["message"]
    assert answer["earliest_start"] is None


@pytest.mark.django_db
def test_an_accepted_request_lists_dated_sessions_and_the_next_course(capsys, tmp_path):
    request = with_changes(
        exacerbations=[{"condition": "knee_arthrosis", "start": "2026-11-01", "end": "2026-11-15"}]
    )

    status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert status == 0 and answer["ok"] is True
    sessions = answer["sessions"]
    assert len(sessions) == 15
    assert sessions[0] == {"number": 1, "date": "2026-12-01", "minutes": 7}
    # Every other day, Sundays closed: Dec 5 (Sat) → Dec 7 (Mon), and Dec 25 is a holiday.
    assert [s["date"] for s in sessions[:4]] == [
        "2026-12-01",
        "2026-12-03",
        "2026-12-05",
        "2026-12-07",
    ]
    assert "2026-12-25" not in [s["date"] for s in sessions]
    assert [s["minutes"] for s in sessions][-7:] == [15] * 7
    assert sessions[-1] == {"number": 15, "date": "2027-01-01", "minutes": 15}
    assert answer["earliest_next_course"] == "2027-02-01"  # one calendar month after the last
    assert answer["next_course_due"] == "2027-06-01"
    assert answer["warnings"] == []


@pytest.mark.django_db
def test_a_refusal_names_every_rule_and_the_earliest_start(capsys, tmp_path):
    request = with_changes(
        conditions=[
            {"kind": "knee_arthrosis", "stage": 2, "side": "left"},
            {
                "kind": "endoprosthetics",
                "joint": "knee",
                "side": "right",
                "surgery_date": "2026-11-20",
            },
        ],
        exacerbations=[],
        contraindications=[{"kind": "fever", "start": "2026-11-30", "end": "2026-12-02"}],
    )

    _status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert answer["ok"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["R8", "R9"]
    r8 = answer["reasons"][0]["message"]
    assert "kinesiotherapy" in r8 and "2026-12-11" in r8
    assert answer["earliest_start"] == "2026-12-11"


@pytest.mark.django_db
def test_warnings_are_listed_on_an_accepted_plan(capsys, tmp_path):
    request = with_changes(
        conditions=[{"kind": "knee_arthrosis", "stage": 2, "side": "left"}],
        exacerbations=[],
        contraindications=[{"kind": "anticoagulants", "start": "2026-01-01", "end": None}],
    )

    _status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert answer["ok"] is True
    assert [w["rule"] for w in answer["warnings"]] == ["R10"]
    assert "Blood thinners" in answer["warnings"][0]["message"]


@pytest.mark.django_db
def test_template_defaults_apply_when_sessions_and_cadence_are_left_out(capsys, tmp_path):
    request = {
        "template": "swedish-weekly-60",
        "start": "2026-12-02",
        "patient": {"conditions": [{"kind": "knee_arthrosis", "stage": 3, "side": "both"}]},
    }

    _status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert [s["minutes"] for s in answer["sessions"]] == [60] * 8
    assert [s["date"] for s in answer["sessions"]][:3] == ["2026-12-02", "2026-12-09", "2026-12-16"]
    assert [w["rule"] for w in answer["warnings"]] == ["R10"]  # stage 3: surgical consultation


@pytest.mark.django_db
def test_stdin_is_read_with_a_dash(capsys, tmp_path, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(EXAMPLE)))

    status, out, _err = run(capsys, tmp_path, "--input", "-")

    assert status == 0
    assert json.loads(out)["ok"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("{not json", "not valid JSON"),
        ({**EXAMPLE, "template": "no-such-template"}, "unknown template 'no-such-template'"),
        (with_changes(conditions=[{"kind": "gout"}]), "unknown condition kind 'gout'"),
        (
            with_changes(contraindications=[{"kind": "sunburn", "start": "2026-11-01"}]),
            "unknown contraindication code 'sunburn'",
        ),
        ({**EXAMPLE, "start": "2026-13-01"}, "'2026-13-01' is not a valid date"),
        (
            with_changes(
                exacerbations=[
                    {"condition": "sciatica", "start": "2026-11-05", "end": "2026-11-01"}
                ]
            ),
            "before the start",
        ),
        ({**EXAMPLE, "sessions": "many"}, "sessions: expected a whole number"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_malformed_input_exits_2_with_one_line_and_writes_nothing(
    capsys, tmp_path, payload, expected
):
    status, out, err = run(capsys, tmp_path, payload=payload)

    assert status == 2
    assert out == ""
    assert expected in err
    assert err.strip().count("\n") == 0
    assert Course.objects.count() == 0


@pytest.mark.django_db
def test_the_template_is_looked_up_in_a_clinics_library_with_clinic(capsys, tmp_path, clinic_a):
    template = clinic_a.protocol_templates.get(slug="knee-arthrosis-classic")
    template.start_minutes = 10
    template.save()
    request = with_changes(exacerbations=[])

    _status, out, _err = run(capsys, tmp_path, "--clinic", str(clinic_a.pk), payload=request)

    assert json.loads(out)["sessions"][0]["minutes"] == 10
    status, _out, err = run(capsys, tmp_path, "--clinic", "999999", payload=request)
    assert status == 2 and "no clinic with id 999999" in err


@pytest.mark.django_db
def test_the_patient_form_plans_from_the_database_without_saving(capsys, tmp_path, patient_a):
    ConditionFactory(patient=patient_a, stage=1, side="right")

    args = [
        "--patient",
        str(patient_a.pk),
        "--template",
        "knee-arthrosis-classic",
        "--start",
        "2026-11-30",
    ]
    status, out, _err = run(capsys, tmp_path, *args, "--sessions", "16", "--cadence-days", "2")

    answer = json.loads(out)
    assert status == 0 and answer["ok"] is True
    assert len(answer["sessions"]) == 16
    assert answer["sessions"][1]["date"] == "2026-12-02"
    assert Course.objects.count() == 0


@pytest.mark.django_db
def test_save_creates_the_course_and_its_sessions(capsys, tmp_path, patient_a):
    ConditionFactory(patient=patient_a, stage=1, side="right")

    args = [
        "--patient",
        str(patient_a.pk),
        "--template",
        "knee-arthrosis-classic",
        "--start",
        today().isoformat(),
    ]
    status, out, _err = run(capsys, tmp_path, *args, "--save")

    answer = json.loads(out)
    course = Course.objects.get(pk=answer["course_id"])
    assert status == 0
    assert course.patient == patient_a
    assert Session.objects.filter(course=course).count() == len(answer["sessions"]) == 15


@pytest.mark.django_db
def test_save_of_a_refused_course_prints_the_refusal_and_saves_nothing(capsys, tmp_path, patient_a):
    args = [
        "--patient",
        str(patient_a.pk),
        "--template",
        "knee-arthrosis-classic",
        "--start",
        "2026-11-30",
    ]

    status, out, _err = run(capsys, tmp_path, *args, "--save")

    answer = json.loads(out)
    assert status == 0
    assert answer["ok"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["R11"]  # no condition recorded
    assert Course.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--patient", "999999", "--template", "sciatica-leg", "--start", "2026-12-01"],
            "no patient",
        ),
        (["--template", "sciatica-leg"], "give --input FILE"),
    ],
)
def test_the_patient_form_reports_bad_arguments(capsys, tmp_path, args, expected):
    status, _out, err = run(capsys, tmp_path, *args)

    assert status == 2
    assert expected in err


# --- Facts the JSON input must not lose -----------------------------------------------------

# EXAMPLE without its open-ended exacerbation: accepted from 2026-12-01 as it stands.
CLEAR = with_changes(
    exacerbations=[{"condition": "knee_arthrosis", "start": "2026-11-01", "end": "2026-11-15"}]
)


def answer_to(capsys, tmp_path, request, *args):
    status, out, err = run(capsys, tmp_path, *args, payload=request)
    assert (status, err) == (0, "")
    return json.loads(out)


def changed(request, **patient_changes):
    request = copy.deepcopy(request)
    request["patient"].update(patient_changes)
    return request


@pytest.mark.django_db
def test_a_previous_course_less_than_a_month_before_refuses_under_r4(capsys, tmp_path):
    request = changed(
        CLEAR, previous_courses=[{"first_session": "2026-10-20", "last_session": "2026-11-10"}]
    )

    answer = answer_to(capsys, tmp_path, request)

    assert answer["ok"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["R4"]
    assert answer["reasons"][0]["message"] == (
        "Another course ended on 2026-11-10, and courses need a break of at least 1 calendar "
        "month between them: this course would start on 2026-12-01; it may start from "
        "2026-12-10."
    )
    assert answer["earliest_start"] == "2026-12-10"


@pytest.mark.django_db
def test_a_one_session_previous_course_counts_for_r4(capsys, tmp_path):
    request = changed(
        CLEAR, previous_courses=[{"first_session": "2026-11-15", "last_session": "2026-11-15"}]
    )

    answer = answer_to(capsys, tmp_path, request)

    assert [r["rule"] for r in answer["reasons"]] == ["R4"]
    assert answer["earliest_start"] == "2026-12-15"


@pytest.mark.django_db
def test_every_previous_course_is_checked(capsys, tmp_path):
    request = changed(
        CLEAR,
        previous_courses=[
            {"first_session": "2026-06-01", "last_session": "2026-07-10"},
            {"first_session": "2026-12-20", "last_session": "2027-01-20"},
        ],
    )

    answer = answer_to(capsys, tmp_path, request)

    # The second course starts before this one would end: it has to wait a month after it.
    assert [r["rule"] for r in answer["reasons"]] == ["R4"]
    assert "planned to start on 2026-12-20" in answer["reasons"][0]["message"]
    assert answer["earliest_start"] == "2027-02-20"


@pytest.mark.django_db
def test_a_tender_knee_at_stage_2_refuses_the_classic_template(capsys, tmp_path):
    request = changed(
        CLEAR,
        conditions=[{"kind": "knee_arthrosis", "stage": 2, "side": "left", "knee_tender": True}],
    )

    answer = answer_to(capsys, tmp_path, request)

    assert [r["rule"] for r in answer["reasons"]] == ["R11"]
    assert "knee is painful on touch (knee arthrosis, stage 2)" in answer["reasons"][0]["message"]
    assert answer["earliest_start"] is None


@pytest.mark.django_db
def test_a_stage_given_for_another_condition_is_ignored(capsys, tmp_path):
    request = {
        "template": "sciatica-leg",
        "start": "2026-12-01",
        "patient": {"conditions": [{"kind": "sciatica", "side": "left", "stage": 4}]},
    }

    answer = answer_to(capsys, tmp_path, request)

    assert answer["ok"] is True
    assert answer["sessions"][0]["date"] == "2026-12-01"


@pytest.mark.django_db
def test_a_payload_without_a_patient_is_a_patient_with_no_facts(capsys, tmp_path):
    request = {"template": "knee-arthrosis-classic", "start": "2026-12-01"}

    answer = answer_to(capsys, tmp_path, request)

    # Not malformed: the planner refuses it, as for a patient with nothing recorded (R11).
    assert answer["ok"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["R11"]
    assert answer["reasons"][0]["message"].startswith("No condition is recorded for this patient")


@pytest.mark.django_db
def test_without_a_clinic_every_day_is_a_working_day(capsys, tmp_path):
    request = {**copy.deepcopy(CLEAR), "cadence_days": 1}
    del request["clinic"]

    answer = answer_to(capsys, tmp_path, request)

    dates = [s["date"] for s in answer["sessions"]]
    assert dates[:7] == [f"2026-12-0{day}" for day in range(1, 8)]  # Sunday 6th included
    assert answer["sessions"][-1] == {"number": 15, "date": "2026-12-15", "minutes": 15}


@pytest.mark.django_db
def test_closed_weekdays_and_dates_are_skipped(capsys, tmp_path):
    request = {
        **copy.deepcopy(CLEAR),
        "cadence_days": 1,
        "clinic": {"closed_weekdays": [5, 6], "closed_dates": ["2026-12-02", "2026-12-03"]},
    }

    answer = answer_to(capsys, tmp_path, request)

    dates = [s["date"] for s in answer["sessions"]]
    assert dates[:4] == ["2026-12-01", "2026-12-04", "2026-12-07", "2026-12-08"]


@pytest.mark.django_db
def test_a_contraindication_from_the_json_blocks_with_its_period(capsys, tmp_path):
    request = changed(
        CLEAR, contraindications=[{"kind": "fever", "start": "2026-12-03", "end": "2026-12-04"}]
    )

    answer = answer_to(capsys, tmp_path, request)

    assert [r["rule"] for r in answer["reasons"]] == ["R9"]
    assert answer["reasons"][0]["message"] == (
        "Fever or high temperature is recorded from 2026-12-03 to 2026-12-04. It rules out "
        "massage while it lasts, and it covers planned sessions 2."
    )
    assert answer["earliest_start"] == "2026-12-05"


@pytest.mark.django_db
def test_the_answer_speaks_russian_with_language_ru(capsys, tmp_path):
    request = changed(
        CLEAR,
        contraindications=[{"kind": "fever", "start": "2026-12-03", "end": None}],
        exacerbations=[{"condition": "sciatica", "start": "2026-11-30", "end": None}],
    )

    answer = answer_to(capsys, tmp_path, request, "--language", "ru")

    r6, r9 = (r["message"] for r in answer["reasons"])
    assert r6.startswith("Отмечено обострение (ишиас) с 2026-11-30, дата окончания не указана")
    assert r9.startswith("Лихорадка, повышенная температура: отмечено с 2026-12-03")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {**EXAMPLE, "clinic": {"closed_weekdays": [7]}},
            "clinic.closed_weekdays: weekdays are numbered 0 (Monday) to 6.",
        ),
        (
            {**EXAMPLE, "clinic": {"closed_weekdays": [True]}},
            "clinic.closed_weekdays: weekdays are numbered 0 (Monday) to 6.",
        ),
        (
            {**EXAMPLE, "clinic": {"closed_weekdays": [0, 1, 2, 3, 4, 5, 6]}},
            "clinic.closed_weekdays: the clinic needs at least one working day.",
        ),
        ({**EXAMPLE, "clinic": {"closed_weekdays": 6}}, "clinic.closed_weekdays: expected a list."),
        ({**EXAMPLE, "clinic": []}, "clinic: expected an object."),
        (
            {**EXAMPLE, "clinic": {"closed_dates": ["2026-12-25", 20261226]}},
            "clinic.closed_dates[1]: expected a date as YYYY-MM-DD, got 20261226.",
        ),
        ({**EXAMPLE, "patient": "Maria"}, "patient: expected an object."),
        ({**EXAMPLE, "start": None}, "start: expected a date as YYYY-MM-DD, got None."),
        ({**EXAMPLE, "sessions": 0}, "sessions: expected a whole number of at least 1, got 0."),
        (
            {**EXAMPLE, "sessions": True},
            "sessions: expected a whole number of at least 1, got True",
        ),
        (
            {**EXAMPLE, "cadence_days": 0},
            "cadence_days: expected a whole number of at least 1, got 0.",
        ),
        ({**EXAMPLE, "template": None}, "a template slug is required"),
        (
            with_changes(conditions=[{"kind": "knee_arthrosis", "side": "left"}]),
            "patient.conditions[0].stage: knee arthrosis needs a stage of 1, 2 or 3.",
        ),
        (
            with_changes(conditions=[{"kind": "knee_arthrosis", "stage": 4}]),
            "patient.conditions[0].stage: knee arthrosis needs a stage of 1, 2 or 3.",
        ),
        (
            with_changes(conditions=[{"kind": "sciatica"}, {"kind": "endoprosthetics"}]),
            "patient.conditions[1].surgery_date: joint replacement needs its surgery date.",
        ),
        (
            with_changes(conditions=["knee"]),
            "patient.conditions[0]: expected an object.",
        ),
        (
            with_changes(conditions={"kind": "sciatica"}),
            "patient.conditions: expected a list.",
        ),
        (
            with_changes(exacerbations=[{"condition": "gout", "start": "2026-11-01"}]),
            "patient.exacerbations[0].condition: unknown condition kind 'gout'.",
        ),
        (
            with_changes(
                exacerbations=[{"condition": "sciatica", "start": "2026-11-01", "end": 5}]
            ),
            "patient.exacerbations[0].end: expected a date as YYYY-MM-DD, got 5.",
        ),
        (
            with_changes(contraindications=[{"kind": "fever"}]),
            "patient.contraindications[0].start: expected a date as YYYY-MM-DD, got None.",
        ),
        (
            with_changes(
                previous_courses=[{"first_session": "2026-06-01", "last_session": "2026-05-31"}]
            ),
            "patient.previous_courses[0]: the last session 2026-05-31 is before the first "
            "2026-06-01.",
        ),
        (
            with_changes(previous_courses=[{"first_session": "2026-06-01"}]),
            "patient.previous_courses[0].last_session: expected a date as YYYY-MM-DD, got None.",
        ),
    ],
)
def test_malformed_facts_exit_2_with_a_message_naming_the_field(
    capsys, tmp_path, payload, expected
):
    status, out, err = run(capsys, tmp_path, payload=payload)

    assert status == 2
    assert out == ""
    assert expected in err
    assert err.strip().count("\n") == 0
    assert Course.objects.count() == 0
