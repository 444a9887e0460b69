"""``staff_line``: a warning as one short line for staff, in their language, dated as people write
dates (the day's grid and its open warnings; the full text stays on the course page)."""

import pytest
from django.utils import translation

import planner
from protocols.planning import reason_message, staff_line
from tests.calendar_grid import THINNERS

POOR_SUPPLY = {
    "rule": "R10",
    "template": planner.R10_PRECAUTION_ADVICE,
    "params": {
        "name": "Poor blood supply to the leg",
        "code": "poor_limb_blood_supply",
        "start": "2026-03-14",
        "sessions": "1–15",
        "advice": "A long text for the patient.",
    },
}


def test_blood_thinners_say_since_when_and_to_press_lightly():
    assert THINNERS["template"] == planner.R10_PRECAUTION
    assert staff_line(THINNERS) == "Blood thinners since 1 Dec 2025: press lightly"


def test_poor_blood_supply_says_what_to_do_and_not_the_patients_text():
    line = staff_line(POOR_SUPPLY)

    assert line == (
        "Poor blood supply to the leg since 14 Mar 2026: use techniques that improve circulation"
    )
    assert "patient" not in line


def test_a_kind_the_clinic_added_gets_its_name_and_date():
    reason = {**THINNERS, "params": {**THINNERS["params"], "code": "varicose", "name": "Varices"}}

    assert staff_line(reason) == "Varices since 1 Dec 2025"


def test_stage_3_is_one_line():
    line = staff_line(planner.Reason("R10", planner.R10_STAGE_3))

    assert line == "Stage 3 knee arthrosis: surgical consultation advised"


def test_any_other_reason_is_its_message_cut_short():
    reason = {
        "rule": "R6",
        "template": planner.R9_OPEN,
        "params": {"name": "Fever", "start": "2026-03-02", "sessions": "1–15"},
    }

    line = staff_line(reason)

    assert reason_message(reason).startswith(line[:-1])
    assert len(line) <= 90 and line.endswith("…")


@pytest.mark.django_db
def test_in_russian_with_the_russian_name_and_date():
    with translation.override("ru"):
        thinners = staff_line(THINNERS)
        stage = staff_line(planner.Reason("R10", planner.R10_STAGE_3))

    assert thinners == "Приём антикоагулянтов с 1 декабря 2025: мягче давление"
    assert stage == "Гонартроз 3-й стадии: нужна консультация хирурга"


def test_the_kinds_own_staff_text_in_the_readers_language():
    reason = {
        **THINNERS,
        "params": {
            **THINNERS["params"],
            "staff": "press lightly, watch for bruises",
            "staff_ru": "мягче давление, следить за синяками",
        },
    }

    assert staff_line(reason) == "Blood thinners since 1 Dec 2025: press lightly, watch for bruises"
    with translation.override("ru"):
        assert staff_line(reason).endswith(": мягче давление, следить за синяками")


@pytest.mark.django_db
def test_a_course_planned_with_a_kind_carries_its_staff_text_in_both_languages(clinic_a):
    from tests.factories import PatientContraindicationFactory
    from tests.workspace import knee_patient, running_course, today

    patient = knee_patient(clinic_a)
    kind = clinic_a.contraindication_kinds.get(code="anticoagulants")
    kind.staff_text, kind.staff_text_ru = "no deep pressure", "без глубокого давления"
    kind.save()
    PatientContraindicationFactory(patient=patient, kind=kind, start=today(), end=None)

    course = running_course(patient)

    (warning,) = course.warnings
    assert staff_line(warning).endswith(": no deep pressure")
    with translation.override("ru"):
        assert staff_line(warning).endswith(": без глубокого давления")
