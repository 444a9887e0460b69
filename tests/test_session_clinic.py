"""Each session keeps its patient's clinic (``Session.clinic``, migration 0019), and the database
holds it there on both engines, whatever writes the row."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from protocols.models import Session
from tests.factories import CourseFactory, PatientFactory

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "session_clinic_is_patients",
    "patient_with_sessions_keeps_clinic",
    "course_with_sessions_keeps_clinic",
}


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    return {name.removesuffix("_insert").removesuffix("_update") for name in names}


def test_the_triggers_are_there():
    # SQLite copies a table to alter it and drops its triggers: a later migration that alters
    # the sessions, courses or patients tables must create them again.
    assert triggers() >= TRIGGERS


def test_the_services_and_factories_write_the_patients_clinic(clinic_a):
    course = CourseFactory(patient=PatientFactory(clinic=clinic_a), sessions=3)
    assert set(course.sessions.values_list("clinic_id", flat=True)) == {clinic_a.pk}


def test_a_session_of_another_clinic_is_refused(clinic_a, clinic_b):
    course = CourseFactory(patient=PatientFactory(clinic=clinic_a), sessions=1)
    session = course.sessions.get()
    with (
        pytest.raises(IntegrityError, match="belongs to the clinic of its patient"),
        transaction.atomic(),
    ):
        Session.objects.create(
            course=course, clinic=clinic_b, number=2, date=session.date, planned_minutes=7
        )
    with (
        pytest.raises(IntegrityError, match="belongs to the clinic of its patient"),
        transaction.atomic(),
    ):
        Session.objects.filter(pk=session.pk).update(clinic=clinic_b)
    other = CourseFactory(patient=PatientFactory(clinic=clinic_b), sessions=0)
    with (
        pytest.raises(IntegrityError, match="belongs to the clinic of its patient"),
        transaction.atomic(),
    ):
        Session.objects.filter(pk=session.pk).update(course=other)
    session.refresh_from_db()
    assert (session.course_id, session.clinic_id) == (course.pk, clinic_a.pk)


def test_a_patient_or_course_with_sessions_stays_in_its_clinic(clinic_a, clinic_b):
    patient = PatientFactory(clinic=clinic_a)
    course = CourseFactory(patient=patient, sessions=1)
    with pytest.raises(IntegrityError, match="stays in the same clinic"), transaction.atomic():
        type(patient).objects.filter(pk=patient.pk).update(clinic=clinic_b)
    elsewhere = PatientFactory(clinic=clinic_b)
    with (
        pytest.raises(IntegrityError, match="stays with patients of the same clinic"),
        transaction.atomic(),
    ):
        type(course).objects.filter(pk=course.pk).update(patient=elsewhere)
    # Within the clinic, and without sessions, nothing stops a change.
    neighbour = PatientFactory(clinic=clinic_a)
    type(course).objects.filter(pk=course.pk).update(patient=neighbour)
    newcomer = PatientFactory(clinic=clinic_a)
    type(newcomer).objects.filter(pk=newcomer.pk).update(clinic=clinic_b)
    newcomer.refresh_from_db()
    assert newcomer.clinic_id == clinic_b.pk


def test_the_admin_says_why_a_patient_with_sessions_stays_in_their_clinic(clinic_a, clinic_b):
    patient = PatientFactory(clinic=clinic_a)
    CourseFactory(patient=patient, sessions=1)
    patient = type(patient).objects.get(pk=patient.pk)
    patient.clinic = clinic_b
    with pytest.raises(ValidationError) as refused:
        patient.full_clean()
    assert "stays there" in refused.value.message_dict["clinic"][0]
    newcomer = type(patient).objects.get(pk=PatientFactory(clinic=clinic_a).pk)
    newcomer.clinic = clinic_b
    newcomer.full_clean()  # no sessions: nothing to keep
