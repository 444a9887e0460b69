"""``manage.py plan_course --input`` with a ``"schedule"``: sessions at times, in rooms (R17)."""

import copy
import json
from pathlib import Path

import pytest

from planner.schedule import parse_time
from protocols.models import Course
from tests.test_plan_course_command import EXAMPLE, run

# The schedule: the therapist works Mondays 09–13 and 14–18 and Wednesdays 12–20, is
# away over the new year and has one booking on Wednesday 2 December; Room 1 is taken 11–12 then.
SCHEDULE = {
    "preferred_time": "10:00",
    "slot_minutes": 15,
    "buffer_minutes": 10,
    "therapist": {
        "hours": {"0": [["09:00", "13:00"], ["14:00", "18:00"]], "2": [["12:00", "20:00"]]},
        "absences": [{"start": "2026-12-21", "end": "2027-01-03"}],
        "busy": [{"date": "2026-12-02", "start": "10:00", "end": "10:30"}],
    },
    "rooms": [
        {"name": "Room 1", "busy": [{"date": "2026-12-02", "start": "11:00", "end": "12:00"}]}
    ],
}
# Every other day from Tuesday 1 December 2026, Sundays and Christmas closed, stage 2 knee.
REQUEST = {
    "template": "knee-arthrosis-classic",
    "start": "2026-12-01",
    "sessions": 15,
    "cadence_days": 2,
    "clinic": {"closed_weekdays": [6], "closed_dates": ["2026-12-25"]},
    "patient": {"conditions": [{"kind": "knee_arthrosis", "stage": 2, "side": "left"}]},
}


def scheduled(**changes):
    request = copy.deepcopy(REQUEST)
    request["schedule"] = copy.deepcopy(SCHEDULE) | changes
    return request


def with_therapist(**changes):
    therapist = copy.deepcopy(SCHEDULE["therapist"]) | changes
    return scheduled(therapist=therapist)


@pytest.mark.django_db
def test_every_session_of_an_accepted_plan_has_a_time_an_end_and_a_room(capsys, tmp_path):
    status, out, err = run(capsys, tmp_path, payload=scheduled())

    answer = json.loads(out)
    assert (status, err) == (0, "")
    assert answer["ok"] is True
    sessions = answer["sessions"]
    # Tuesday is not worked: Wednesday 12:00, the nearest free time to 10:00 (hours from 12:00).
    assert sessions[0] == {
        "number": 1,
        "date": "2026-12-02",
        "minutes": 7,
        "time": "12:00",
        "ends": "12:30",
        "room": "Room 1",
    }
    # Due on Friday 4 December: Monday 7 December at the preferred time.
    assert (sessions[1]["date"], sessions[1]["time"], sessions[1]["ends"]) == (
        "2026-12-07",
        "10:00",
        "10:30",
    )
    # Session 6 is due on 18 December; the therapist is away from 21 December to 3 January.
    assert sessions[5]["date"] == "2027-01-04"
    assert all(s["date"] < "2026-12-21" or s["date"] > "2027-01-03" for s in sessions)
    assert list(answer) == [
        "ok",
        "sessions",
        "warnings",
        "notes",
        "earliest_next_course",
        "next_course_due",
    ]
    assert answer["warnings"] == []
    assert answer["earliest_next_course"] == "2027-03-03"  # the last session is on 3 February


@pytest.mark.django_db
def test_the_notes_say_which_sessions_moved_from_the_preferred_time_or_day(capsys, tmp_path):
    _status, out, _err = run(capsys, tmp_path, payload=scheduled())

    notes = json.loads(out)["notes"]
    first = [note["message"] for note in notes if note["session"] == 1]
    sixth = [note["message"] for note in notes if note["session"] == 6]
    assert {note["rule"] for note in notes} == {"R17"}
    assert first == [
        "Session 1 moves from 2026-12-01 to 2026-12-02: the therapist does not work on the days "
        "before then.",
        "Session 1 on 2026-12-02 is at 12:00, not at the preferred 10:00: that was the nearest "
        "free time that day.",
    ]
    assert sixth == ["Session 6 moves from 2026-12-18 to 2027-01-04: the therapist is away."]


@pytest.mark.django_db
def test_notes_are_given_in_russian_with_language_ru(capsys, tmp_path):
    _status, out, _err = run(capsys, tmp_path, "--language", "ru", payload=scheduled())

    notes = json.loads(out)["notes"]
    assert any(n["message"].startswith("Сеанс № 6 перенесён") for n in notes)
    assert not any("Session" in note["message"] for note in notes)


@pytest.mark.django_db
def test_without_rooms_no_room_is_booked_and_the_defaults_apply(capsys, tmp_path):
    request = scheduled(rooms=[])
    del request["schedule"]["slot_minutes"], request["schedule"]["buffer_minutes"]

    _status, out, _err = run(capsys, tmp_path, payload=request)

    sessions = json.loads(out)["sessions"]
    assert {s["room"] for s in sessions} == {None}
    assert (sessions[0]["time"], sessions[0]["ends"]) == ("12:00", "12:30")  # 7 + 10 → 30


@pytest.mark.django_db
def test_a_60_minute_session_books_75_minutes(capsys, tmp_path):
    request = scheduled()
    request.update(template="swedish-weekly-60", sessions=8, cadence_days=7)

    _status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert answer["ok"] is True, answer
    sessions = answer["sessions"]
    assert (sessions[0]["time"], sessions[0]["ends"]) == ("12:00", "13:15")
    assert {(s["minutes"], parse_time(s["ends"]) - parse_time(s["time"])) for s in sessions} == {
        (60, 75)
    }


@pytest.mark.django_db
def test_a_session_with_no_free_time_in_60_days_is_refused_under_r17(capsys, tmp_path):
    away = [{"start": "2026-12-01", "end": "2027-03-31"}]
    request = with_therapist(name="Anna Petrova", absences=away)

    status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert status == 0
    assert answer["ok"] is False
    assert [r["rule"] for r in answer["reasons"]] == ["R17"]
    message = answer["reasons"][0]["message"]
    assert "Session 1" in message and "Anna Petrova" in message
    assert answer["earliest_start"] == "2027-04-05"  # her first Monday back


@pytest.mark.django_db
def test_r17_is_reported_with_r2_only(capsys, tmp_path):
    request = with_therapist(hours={})  # works no day at all
    request["sessions"] = 30
    request["patient"]["exacerbations"] = [{"condition": "knee_arthrosis", "start": "2026-11-01"}]

    _status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert [r["rule"] for r in answer["reasons"]] == ["R2", "R17"]
    assert "the therapist" in answer["reasons"][1]["message"]
    assert answer["earliest_start"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (scheduled(preferred_time="25:00"), "schedule.preferred_time: '25:00' is not a time"),
        (scheduled(preferred_time="9:00"), "schedule.preferred_time: '9:00' is not a time"),
        (scheduled(preferred_time=600), "schedule.preferred_time: expected a time as HH:MM"),
        (
            with_therapist(hours={"0": [["13:00", "09:00"]]}),
            "schedule.therapist.hours.0[0]: 13:00–09:00 ends at or before its start",
        ),
        (with_therapist(hours={"0": [["09:00", "09:00"]]}), "ends at or before its start"),
        (
            with_therapist(hours={"0": [["09:00", "13:00"], ["12:00", "18:00"]]}),
            "schedule: The hours of weekday 0 overlap: 09:00–13:00 and 12:00–18:00",
        ),
        (with_therapist(hours={"0": [["09:00", "24:30"]]}), "'24:30' is not a time between"),
        (with_therapist(hours={"7": [["09:00", "13:00"]]}), 'weekdays are "0" (Monday) to "6"'),
        (with_therapist(hours={"0": ["09:00", "13:00"]}), 'expected ["HH:MM", "HH:MM"]'),
        (with_therapist(hours=[]), "schedule.therapist.hours: expected an object"),
        (scheduled(slot_minutes=7), "schedule.slot_minutes: expected one of 5, 10, 15, 20, 30, 60"),
        (scheduled(slot_minutes="15"), "schedule.slot_minutes: expected one of"),
        (scheduled(buffer_minutes=-5), "schedule.buffer_minutes: expected a whole number of at"),
        (
            with_therapist(busy=[{"date": "2026-12-02", "start": "11:00", "end": "10:00"}]),
            "schedule.therapist.busy[0]: 11:00–10:00 ends at or before its start",
        ),
        (
            with_therapist(busy=[{"date": "2026-12-32", "start": "10:00", "end": "11:00"}]),
            "schedule.therapist.busy[0].date: '2026-12-32' is not a valid date",
        ),
        (
            with_therapist(absences=[{"start": "2026-12-21", "end": "2026-12-01"}]),
            "schedule.therapist.absences[0]: the end 2026-12-01 is before the start",
        ),
        (scheduled(rooms=[{"busy": []}]), "schedule.rooms[0].name: a room needs a name"),
        (scheduled(rooms=[{"name": "A"}, {"name": "A"}]), "schedule: Two rooms have the same"),
        ({**REQUEST, "schedule": [1]}, "schedule: expected an object"),
    ],
)
def test_a_malformed_schedule_exits_2_with_one_line_and_writes_nothing(
    capsys, tmp_path, request_, expected
):
    status, out, err = run(capsys, tmp_path, payload=request_)

    assert status == 2
    assert out == ""
    assert expected in err
    assert err.strip().count("\n") == 0
    assert Course.objects.count() == 0


# A request without a schedule, and its answers as plan_course printed them before schedules
# existed (tests/golden/, made with the planner and protocols/planning.py of commit da3552e).
UNSCHEDULED = {
    "template": "knee-arthrosis-knee-sparing",
    "start": "2026-12-01",
    "cadence_days": 2,
    "clinic": {"closed_weekdays": [6], "closed_dates": ["2026-12-25"]},
    "patient": {"conditions": [{"kind": "knee_arthrosis", "stage": 3, "side": "left"}]},
}
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("schedule", ["left out", None])
def test_without_a_schedule_the_answer_is_unchanged_byte_for_byte(
    capsys, tmp_path, language, schedule
):
    request = copy.deepcopy(UNSCHEDULED)
    if schedule is None:
        request["schedule"] = None
    before = (GOLDEN / f"plan_course_without_schedule.{language}.json").read_text("utf-8")

    status, out, _err = run(capsys, tmp_path, "--language", language, payload=request)

    assert status == 0
    assert out == before


@pytest.mark.django_db
def test_a_refusal_with_a_schedule_keeps_the_refusal_shape(capsys, tmp_path):
    request = copy.deepcopy(EXAMPLE)
    request["schedule"] = copy.deepcopy(SCHEDULE)

    _status, out, _err = run(capsys, tmp_path, payload=request)

    answer = json.loads(out)
    assert list(answer) == ["ok", "reasons", "earliest_start"]
    assert answer["earliest_start"] is None  # the open-ended exacerbation


@pytest.mark.parametrize(
    "name",
    [
        "R17_NO_TIME",
        "R17_NO_TIME_UNNAMED",
        "NOTE_TIME",
        "NOTE_DAY_ABSENT",
        "NOTE_DAY_FULL",
        "NOTE_DAY_NOT_WORKING",
    ],
)
def test_every_scheduling_message_has_a_russian_translation(name):
    from django.utils import translation

    from planner import schedule

    template = getattr(schedule, name)
    with translation.override("ru"):
        assert translation.gettext(template) != template
