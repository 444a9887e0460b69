"""The create_course service: one transaction, the planner's rules, the template snapshot."""

from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from protocols.models import Course, ProtocolTemplate, Session
from protocols.planning import build_request, reason_message, rules_from_template
from protocols.services import CourseRefused, create_course
from tests.factories import ConditionFactory, ExacerbationFactory, PatientContraindicationFactory

MONDAY = date(2026, 11, 30)


@pytest.fixture
def knee_patient(patient_a):
    ConditionFactory(patient=patient_a, stage=2, side="left")
    return patient_a


@pytest.fixture
def classic(clinic_a):
    return ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic")


def test_it_saves_the_course_with_its_dated_sessions(knee_patient, classic, therapist_a):
    course = create_course(
        patient=knee_patient, template=classic, start=MONDAY, therapist=therapist_a
    )

    sessions = list(course.sessions.order_by("number"))
    assert len(sessions) == 15
    # The clinic works Monday to Saturday: daily sessions skip Sundays.
    assert [s.date for s in sessions[:7]] == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 5),
        date(2026, 12, 7),
    ]
    assert [s.planned_minutes for s in sessions] == [
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        15,
        15,
        15,
        15,
        15,
        15,
    ]
    assert {s.status for s in sessions} == {Session.PLANNED}
    assert course.status == Course.PLANNED
    assert course.therapist == therapist_a
    assert course.cadence_days == 1


def test_it_honours_the_clinic_closed_dates(knee_patient, classic, clinic_a):
    clinic_a.closed_dates.create(date=date(2026, 12, 1), reason="Holiday")

    course = create_course(patient=knee_patient, template=classic, start=MONDAY, sessions=15)

    dates = list(course.sessions.values_list("date", flat=True))
    assert date(2026, 12, 1) not in dates
    assert dates[:2] == [date(2026, 11, 30), date(2026, 12, 2)]


def test_the_course_keeps_the_template_as_it_was_planned(knee_patient, classic):
    course = create_course(patient=knee_patient, template=classic, start=MONDAY)
    first_step = classic.steps.first()
    original_instruction = first_step.instruction

    classic.name = "Renamed later"
    classic.start_minutes = 10
    classic.save()
    first_step.instruction = "Edited later"
    first_step.save()

    course.refresh_from_db()
    assert course.template_snapshot["name"]["en"] != "Renamed later"
    assert course.template_snapshot["start_minutes"] == 7
    assert course.template_snapshot["steps"][0]["instruction"]["en"] == original_instruction
    assert course.sessions.get(number=1).planned_minutes == 7


def test_it_refuses_a_course_during_an_exacerbation_and_writes_nothing(knee_patient, classic):
    ExacerbationFactory(
        condition=knee_patient.conditions.get(), start=date(2026, 11, 20), end=date(2026, 12, 10)
    )

    with pytest.raises(CourseRefused) as refused:
        create_course(patient=knee_patient, template=classic, start=MONDAY)

    assert [r.rule for r in refused.value.refusal.reasons] == ["R6"]
    assert refused.value.refusal.earliest_start == date(2026, 12, 11)
    assert "2026-12-11" in " ".join(refused.value.messages)
    assert Course.objects.count() == 0
    assert Session.objects.count() == 0


def test_a_second_course_must_wait_a_month_after_the_first(knee_patient, classic):
    first = create_course(patient=knee_patient, template=classic, start=MONDAY)
    last_session = first.sessions.order_by("-number").first().date  # 2026-12-16

    with pytest.raises(CourseRefused) as refused:
        create_course(patient=knee_patient, template=classic, start=date(2027, 1, 4))

    assert [r.rule for r in refused.value.refusal.reasons] == ["R4"]
    assert refused.value.refusal.earliest_start == date(2027, 1, 16)
    assert last_session == date(2026, 12, 16)
    second = create_course(patient=knee_patient, template=classic, start=date(2027, 1, 16))
    assert second.sessions.count() == 15


def test_a_cancelled_course_no_longer_holds_its_dates(knee_patient, classic):
    first = create_course(patient=knee_patient, template=classic, start=MONDAY)
    first.status = Course.CANCELLED
    first.save()

    second = create_course(patient=knee_patient, template=classic, start=date(2026, 12, 7))

    assert second.sessions.count() == 15


def test_warnings_are_stored_with_the_course(knee_patient, classic):
    PatientContraindicationFactory(
        patient=knee_patient,
        kind=knee_patient.clinic.contraindication_kinds.get(code="anticoagulants"),
        start=date(2026, 1, 1),
        end=None,
    )

    course = create_course(patient=knee_patient, template=classic, start=MONDAY)

    assert [w["rule"] for w in course.warnings] == ["R10"]
    assert "Blood thinners (anticoagulants)" in reason_message(course.warnings[0])


def test_nothing_is_half_written_when_saving_the_sessions_fails(knee_patient, classic):
    with (
        mock.patch.object(Session.objects, "bulk_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        create_course(patient=knee_patient, template=classic, start=MONDAY)

    assert Course.objects.count() == 0


def test_it_refuses_another_clinics_template(knee_patient, clinic_b):
    foreign = ProtocolTemplate.objects.get(clinic=clinic_b, slug="knee-arthrosis-classic")

    with pytest.raises(ValidationError) as error:
        create_course(patient=knee_patient, template=foreign, start=MONDAY)

    assert error.value.messages == ["Choose a protocol template of the patient's clinic."]
    assert Course.objects.count() == 0


def test_it_refuses_an_inactive_template(knee_patient, classic):
    classic.active = False
    classic.save()

    with pytest.raises(ValidationError) as error:
        create_course(patient=knee_patient, template=classic, start=MONDAY)

    assert error.value.messages == ["This template is no longer in use; choose an active one."]


def test_it_refuses_to_plan_for_an_archived_patient(knee_patient, classic):
    knee_patient.archived = True
    knee_patient.save()

    with pytest.raises(ValidationError) as error:
        create_course(patient=knee_patient, template=classic, start=MONDAY)

    assert "archived" in error.value.messages[0]


def test_it_refuses_a_therapist_of_another_clinic(knee_patient, classic, therapist_b):
    with pytest.raises(ValidationError):
        create_course(patient=knee_patient, template=classic, start=MONDAY, therapist=therapist_b)

    assert Course.objects.count() == 0


def test_building_the_planner_input_takes_a_fixed_number_of_queries(
    knee_patient, classic, django_assert_num_queries
):
    for _ in range(3):
        PatientContraindicationFactory(patient=knee_patient)
        ExacerbationFactory(condition=knee_patient.conditions.get(), end=date(2026, 11, 2))
    rules = rules_from_template(classic)

    # closed dates, conditions, exacerbations (+condition), contraindications (+kind), other
    # courses with their first and last session dates; the clinic comes with the patient.
    with django_assert_num_queries(5):
        request = build_request(patient=knee_patient, rules=rules, start=MONDAY)

    assert len(request.contraindications) == 3
    assert len(request.exacerbations) == 3
