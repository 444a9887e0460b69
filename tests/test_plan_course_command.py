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
