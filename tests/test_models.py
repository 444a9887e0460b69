"""Model validation with the messages a user sees, the database constraints behind it, the
ChoiceSetField, and the clinic scoping of querysets."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Clinic
from patients.models import Condition, Exacerbation, Patient, PatientContraindication
from protocols.models import Course, ProtocolTemplate, Session
from protocols.snapshot import template_snapshot
from tests.factories import (
    ConditionFactory,
    ExacerbationFactory,
    PatientContraindicationFactory,
    PatientFactory,
    UserFactory,
)


def validation_errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def make_course(patient, slug="knee-arthrosis-classic") -> Course:
    template = ProtocolTemplate.objects.get(clinic=patient.clinic, slug=slug)
    return Course.objects.create(
        patient=patient,
        template=template,
        template_snapshot=template_snapshot(template),
        cadence_days=template.cadence_days,
    )


def make_session(course, number=1, **fields) -> Session:
    return Session.objects.create(
        course=course,
        clinic_id=course.patient.clinic_id,
        number=number,
        date=date(2026, 12, number),
        planned_minutes=7,
        **fields,
    )


def knee_template(clinic, **fields) -> ProtocolTemplate:
    """An unsaved template that passes validation until ``fields`` override it."""
    values = {
        "clinic": clinic,
        "name": "Knee test",
        "slug": "knee-test",
        "conditions": [Condition.KNEE_ARTHROSIS],
        "start_minutes": 7,
        "step_minutes": 1,
        "target_minutes": 15,
        "min_sessions": 15,
        "max_sessions": 20,
        "default_sessions": 15,
    }
    values.update(fields)
    return ProtocolTemplate(**values)


# Periods ------------------------------------------------------------------------------------


def test_it_rejects_an_exacerbation_that_ends_before_it_starts(patient_a):
    condition = ConditionFactory(patient=patient_a)
    exacerbation = Exacerbation(
        patient=patient_a, condition=condition, start=date(2026, 5, 10), end=date(2026, 5, 9)
    )

    errors = validation_errors(exacerbation)

    assert errors["end"] == ["The end date cannot be before the start date."]


def test_it_accepts_an_exacerbation_of_one_day_and_one_still_going_on(patient_a):
    condition = ConditionFactory(patient=patient_a)
    one_day = Exacerbation(
        patient=patient_a, condition=condition, start=date(2026, 5, 10), end=date(2026, 5, 10)
    )
    ongoing = Exacerbation(patient=patient_a, condition=condition, start=date(2026, 5, 10))

    one_day.full_clean()
    ongoing.full_clean()


def test_it_rejects_a_contraindication_period_that_ends_before_it_starts(patient_a):
    period = PatientContraindicationFactory.build(
        patient=patient_a, start=date(2026, 11, 20), end=date(2026, 11, 1)
    )

    errors = validation_errors(period)

    assert errors["end"] == ["The end date cannot be before the start date."]


def test_it_rejects_a_contraindication_from_another_clinics_list(patient_a, clinic_b):
    period = PatientContraindication(
        patient=patient_a,
        kind=clinic_b.contraindication_kinds.get(code="fever"),
        start=date(2026, 11, 20),
    )

    errors = validation_errors(period)

    assert errors["kind"] == ["Choose a contraindication of this clinic's list."]


def test_it_rejects_an_exacerbation_of_another_patients_condition(patient_a, clinic_a):
    other = ConditionFactory(patient=PatientFactory(clinic=clinic_a))
    exacerbation = Exacerbation(patient=patient_a, condition=other, start=date(2026, 5, 10))

    errors = validation_errors(exacerbation)

    assert errors["condition"] == ["Choose one of this patient's conditions."]


# Conditions ---------------------------------------------------------------------------------


def test_it_rejects_knee_arthrosis_without_a_stage(patient_a):
    condition = Condition(patient=patient_a, kind=Condition.KNEE_ARTHROSIS, side="left")

    errors = validation_errors(condition)

    assert errors["stage"] == ["Knee arthrosis needs its stage (1, 2 or 3)."]


def test_it_rejects_knee_arthrosis_without_a_side(patient_a):
    condition = Condition(patient=patient_a, kind=Condition.KNEE_ARTHROSIS, stage=2)

    errors = validation_errors(condition)

    assert errors["side"] == ["Say which knee: left, right or both."]


def test_it_rejects_a_stage_on_sciatica(patient_a):
    condition = Condition(patient=patient_a, kind=Condition.SCIATICA, side="left", stage=2)

    errors = validation_errors(condition)

    assert errors["stage"] == ["A stage is recorded for knee arthrosis only."]


def test_it_rejects_a_surgery_date_in_the_future(patient_a):
    condition = Condition(
        patient=patient_a,
        kind=Condition.ENDOPROSTHETICS,
        joint="knee",
        side="right",
        surgery_date=tomorrow(),
    )

    errors = validation_errors(condition)

    assert errors["surgery_date"] == ["The surgery date cannot be in the future."]


def test_it_rejects_endoprosthetics_without_joint_or_surgery_date(patient_a):
    condition = Condition(patient=patient_a, kind=Condition.ENDOPROSTHETICS, side="right")

    errors = validation_errors(condition)

    assert errors["joint"] == ["Say which joint was replaced: knee or hip."]
    assert errors["surgery_date"] == ["The surgery date is needed to plan massage safely."]


def test_it_accepts_endoprosthetics_operated_today(patient_a):
    condition = Condition(
        patient=patient_a,
        kind=Condition.ENDOPROSTHETICS,
        joint="hip",
        side="left",
        surgery_date=timezone.localdate(),
    )

    condition.full_clean()


def test_it_rejects_kellgren_lawrence_grade_5(patient_a):
    condition = Condition(
        patient=patient_a, kind=Condition.KNEE_ARTHROSIS, stage=2, side="left", kl_grade=5
    )

    errors = validation_errors(condition)

    assert errors["kl_grade"] == ["Ensure this value is less than or equal to 4."]


def test_it_keeps_kellgren_lawrence_grade_4_apart_from_the_stage(patient_a):
    condition = ConditionFactory(patient=patient_a, stage=1, kl_grade=4)
    condition.full_clean()

    condition.refresh_from_db()

    assert (condition.stage, condition.kl_grade) == (1, 4)


def test_it_rejects_a_birth_date_in_the_future(clinic_a):
    patient = PatientFactory.build(clinic=clinic_a, birth_date=tomorrow())

    errors = validation_errors(patient)

    assert errors["birth_date"] == ["The date of birth cannot be in the future."]


# Protocol templates -------------------------------------------------------------------------


def test_it_rejects_a_template_whose_first_session_is_longer_than_the_longest(clinic_a):
    template = knee_template(clinic_a, start_minutes=20, target_minutes=15)

    errors = validation_errors(template)

    assert errors["start_minutes"] == [
        "The first session cannot be longer than the longest session."
    ]


def test_it_rejects_a_template_that_never_grows_towards_its_longest_session(clinic_a):
    template = knee_template(clinic_a, start_minutes=7, step_minutes=0, target_minutes=15)

    errors = validation_errors(template)

    assert errors["step_minutes"] == [
        "Sessions must grow by at least 1 minute to reach the longest session."
    ]


def test_it_accepts_a_template_of_equal_sessions_with_no_step(clinic_a):
    template = knee_template(
        clinic_a,
        start_minutes=60,
        step_minutes=0,
        target_minutes=60,
        min_sessions=8,
        max_sessions=8,
        default_sessions=8,
        cadence_days=7,
    )

    template.full_clean()


def test_it_rejects_a_template_with_fewest_sessions_above_most(clinic_a):
    template = knee_template(clinic_a, min_sessions=20, max_sessions=15, default_sessions=15)

    errors = validation_errors(template)

    assert errors["min_sessions"] == ["The fewest sessions cannot be more than the most."]


@pytest.mark.parametrize("usual", [14, 21])
def test_it_rejects_a_usual_session_count_outside_fewest_to_most(clinic_a, usual):
    template = knee_template(clinic_a, default_sessions=usual)

    errors = validation_errors(template)

    assert errors["default_sessions"] == [
        "The usual number of sessions must lie between the fewest and the most."
    ]


def test_it_rejects_a_template_with_no_condition(clinic_a):
    template = knee_template(clinic_a, conditions=[])

    errors = validation_errors(template)

    assert "conditions" in errors


def test_it_rejects_a_second_template_with_the_same_short_name_in_a_clinic(clinic_a):
    template = knee_template(clinic_a, slug="knee-arthrosis-classic")

    errors = validation_errors(template)

    assert "This short name is already used in this clinic." in errors["__all__"]


# Sessions -----------------------------------------------------------------------------------


def test_it_rejects_a_done_session_without_its_minutes(patient_a):
    session = Session(
        course=make_course(patient_a), number=1, date=date(2026, 12, 1), planned_minutes=7
    )
    session.status = Session.DONE

    errors = validation_errors(session)

    assert errors["actual_minutes"] == ["Enter how many minutes the session lasted."]


def test_it_rejects_a_skipped_session_without_a_reason(patient_a):
    session = Session(
        course=make_course(patient_a), number=1, date=date(2026, 12, 1), planned_minutes=7
    )
    session.status = Session.SKIPPED

    errors = validation_errors(session)

    assert errors["skip_reason"] == ["Say why the session was skipped."]


def test_it_rejects_a_pain_score_of_11(patient_a):
    session = Session(
        course=make_course(patient_a),
        number=1,
        date=date(2026, 12, 1),
        planned_minutes=7,
        pain_before=11,
    )

    errors = validation_errors(session)

    assert errors["pain_before"] == ["Ensure this value is less than or equal to 10."]


# Database constraints, with validation bypassed -----------------------------------------------


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
def test_the_database_refuses_a_pain_score_above_10(patient_a, field):
    session = make_session(make_course(patient_a))

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(**{field: 11})

    session.refresh_from_db()
    assert getattr(session, field) is None


def test_the_database_accepts_pain_scores_0_and_10(patient_a):
    session = make_session(make_course(patient_a))

    Session.objects.filter(pk=session.pk).update(pain_before=10, pain_after=0)

    session.refresh_from_db()
    assert (session.pain_before, session.pain_after) == (10, 0)


def test_the_database_refuses_two_sessions_with_one_number_in_a_course(patient_a):
    course = make_course(patient_a)
    make_session(course, number=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(course, number=3)

    assert course.sessions.count() == 1


def test_the_database_allows_the_same_session_number_in_another_course(patient_a):
    make_session(make_course(patient_a), number=1)

    make_session(make_course(patient_a, slug="knee-arthrosis-knee-sparing"), number=1)

    assert Session.objects.filter(course__patient=patient_a, number=1).count() == 2


def test_the_database_refuses_an_exacerbation_that_ends_before_it_starts(patient_a):
    condition = ConditionFactory(patient=patient_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Exacerbation.objects.create(
            patient=patient_a, condition=condition, start=date(2026, 5, 10), end=date(2026, 5, 9)
        )

    assert not Exacerbation.objects.filter(patient=patient_a).exists()


def test_the_database_refuses_a_contraindication_period_that_ends_before_it_starts(patient_a):
    period = PatientContraindicationFactory(patient=patient_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientContraindication.objects.filter(pk=period.pk).update(end=date(2026, 1, 1))

    period.refresh_from_db()
    assert period.end == date(2026, 11, 24)


def test_the_database_refuses_a_template_whose_first_session_exceeds_the_longest(clinic_a):
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProtocolTemplate.objects.filter(pk=template.pk).update(start_minutes=16)

    template.refresh_from_db()
    assert template.start_minutes == 7


def test_the_database_refuses_a_stage_4(patient_a):
    condition = ConditionFactory(patient=patient_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(pk=condition.pk).update(stage=4)

    condition.refresh_from_db()
    assert condition.stage == 2


# ChoiceSetField -----------------------------------------------------------------------------


def test_working_weekdays_round_trip_as_a_sorted_list(db):
    clinic = Clinic.objects.create(name="Weekday clinic", working_weekdays=[4, 0, 2])

    clinic = Clinic.objects.get(pk=clinic.pk)

    assert clinic.working_weekdays == [0, 2, 4]


def test_clinics_are_found_by_one_of_their_working_weekdays(db):
    clinic = Clinic.objects.create(name="Weekday clinic", working_weekdays=[0, 1, 2, 3, 4])

    assert Clinic.objects.filter(pk=clinic.pk, working_weekdays__contains="3").exists()
    assert not Clinic.objects.filter(pk=clinic.pk, working_weekdays__contains="5").exists()


def test_a_clinic_without_a_working_day_is_rejected(db):
    clinic = Clinic(name="Never open", working_weekdays=[])

    errors = validation_errors(clinic)

    assert "A clinic needs at least one working day a week." in errors["working_weekdays"]


def test_a_clinic_with_an_unknown_weekday_is_rejected(db):
    clinic = Clinic(name="Eight days a week", working_weekdays=[0, 7])

    errors = validation_errors(clinic)

    assert errors["working_weekdays"] == ["Value 7 is not a valid choice."]


def test_templates_are_found_by_one_of_their_conditions(clinic_a):
    found = ProtocolTemplate.objects.for_clinic(clinic_a).filter(conditions__contains="sciatica")

    assert [template.slug for template in found] == ["sciatica-leg"]


# Clinic scoping -----------------------------------------------------------------------------


@pytest.fixture
def clinic_a_records(patient_a):
    condition = ConditionFactory(patient=patient_a)
    ExacerbationFactory(condition=condition)
    PatientContraindicationFactory(patient=patient_a)
    make_course(patient_a)
    return patient_a


def test_a_therapist_of_clinic_b_sees_none_of_clinic_as_records(clinic_a_records, therapist_b):
    PatientFactory(clinic=therapist_b.clinic, last_name="Sidorova")

    assert [p.last_name for p in Patient.objects.for_user(therapist_b)] == ["Sidorova"]
    assert not Condition.objects.for_user(therapist_b).exists()
    assert not Exacerbation.objects.for_user(therapist_b).exists()
    assert not PatientContraindication.objects.for_user(therapist_b).exists()
    assert not Course.objects.for_user(therapist_b).exists()


def test_a_therapist_of_clinic_a_sees_clinic_as_records(clinic_a_records, therapist_a):
    assert list(Patient.objects.for_user(therapist_a)) == [clinic_a_records]
    assert Condition.objects.for_user(therapist_a).count() == 1
    assert Course.objects.for_user(therapist_a).count() == 1


def test_a_superuser_sees_every_clinics_records(clinic_a_records, clinic_b):
    PatientFactory(clinic=clinic_b)
    superuser = UserFactory(clinic=None, is_superuser=True)

    assert Patient.objects.for_user(superuser).count() == 2
    assert Condition.objects.for_user(superuser).count() == 1
    assert Course.objects.for_user(superuser).count() == 1


def test_a_member_of_staff_without_a_clinic_sees_nothing(clinic_a_records):
    stray = UserFactory(clinic=None)

    assert not Patient.objects.for_user(stray).exists()
    assert not Course.objects.for_user(stray).exists()
