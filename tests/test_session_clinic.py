"""Each session keeps its patient's clinic (``Session.clinic``, migration 0019): PostgreSQL holds
it there whatever writes the row (triggers); on both engines the services refuse a session of
another clinic and the patient model says why a patient with sessions stays in their clinic."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from protocols import booking
from protocols.models import Session
from tests.factories import MONDAY, CourseFactory, PatientFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's (migration 0019)"
)


@pytest.fixture(autouse=True)
def _library(default_library):
    """One test here runs on real transactions (see ``conftest.default_library``)."""


TRIGGERS = {
    "session_clinic_is_patients",
    "patient_with_sessions_keeps_clinic",
    "course_with_sessions_keeps_clinic",
}


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


@on_postgresql
def test_the_triggers_are_there():
    assert triggers() >= TRIGGERS


def test_the_services_and_factories_write_the_patients_clinic(clinic_a):
    course = CourseFactory(patient=PatientFactory(clinic=clinic_a), sessions=3)
    assert set(course.sessions.values_list("clinic_id", flat=True)) == {clinic_a.pk}


def test_the_services_refuse_a_session_of_another_clinic(clinic_a, clinic_b):
    course = CourseFactory(patient=PatientFactory(clinic=clinic_a), sessions=1)
    stray = Session(course=course, clinic=clinic_b, number=2, date=MONDAY, planned_minutes=7)
    with pytest.raises(ValueError, match="belongs to the clinic of its patient"):
        booking.save_bookings(clinic_a, [stray], create=True)
    assert course.sessions.count() == 1


@on_postgresql
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


@on_postgresql
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


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_patients_move_at_the_moment_a_session_is_added_waits_and_is_refused(clinic_a, clinic_b):
    # One connection adds a session and holds its transaction open; another moves the patient
    # meanwhile. The move waits for the session's transaction, then sees the session.
    patient = PatientFactory(clinic=clinic_a)
    course = CourseFactory(patient=patient, sessions=0)
    added, release = threading.Event(), threading.Event()

    def add_session():
        try:
            with transaction.atomic():
                Session.objects.create(
                    course=course, clinic=clinic_a, number=1, date=MONDAY, planned_minutes=7
                )
                added.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    def move_patient():
        try:
            added.wait(timeout=20)
            with transaction.atomic():
                type(patient).objects.filter(pk=patient.pk).update(clinic=clinic_b)
            return "moved"
        except IntegrityError as error:
            return error
        finally:
            connection.close()

    results = {}
    adder = threading.Thread(target=add_session)
    mover = threading.Thread(target=lambda: results.setdefault("move", move_patient()))
    adder.start()
    mover.start()
    added.wait(timeout=20)
    mover.join(timeout=2)
    assert mover.is_alive()  # waiting on the session's transaction
    release.set()
    adder.join(timeout=20)
    mover.join(timeout=20)

    assert isinstance(results["move"], IntegrityError), results
    assert "stays in the same clinic" in str(results["move"])
    patient.refresh_from_db()
    assert patient.clinic_id == clinic_a.pk
    assert Session.objects.filter(course=course, clinic=clinic_a).count() == 1
