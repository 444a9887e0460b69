"""Each course keeps the date of its first session not cancelled (``Course.starts_on``).

The day page's "due for the next course" list (R5) counts from it, so it must follow every
change to the sessions: planning, recording, holds and resuming, cancelling, the admin.
"""

import importlib
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import connection

from patients.models import Patient
from protocols.models import Course, Session
from protocols.selectors import due_patients
from protocols.services import close_course, hold_affected_courses, record_session, resume_course
from tests.workspace import knee_patient, running_course, today

pytestmark = pytest.mark.django_db


def first_date_from_sessions(course):
    dates = course.sessions.exclude(status=Session.CANCELLED).values_list("date", flat=True)
    return min(dates, default=None)


def stored(course):
    return Course.objects.values_list("starts_on", flat=True).get(pk=course.pk)


def test_a_planned_course_starts_on_its_first_session(clinic_a, therapist_a):
    course = running_course(knee_patient(clinic_a), therapist_a, start=today() + timedelta(days=3))

    assert stored(course) == course.sessions.order_by("number").first().date
    assert stored(course) >= today() + timedelta(days=3)


def test_recording_the_first_session_done_or_skipped_keeps_the_start(clinic_a, therapist_a):
    course = running_course(knee_patient(clinic_a), therapist_a)
    first, second = course.sessions.order_by("number")[:2]
    start = stored(course)

    record_session(session=first, user=therapist_a, done=False, skip_reason="Ill")
    record_session(session=second, user=therapist_a, done=True, actual_minutes=8)

    assert stored(course) == start == first_date_from_sessions(course)


def test_holding_and_resuming_a_course_not_yet_started_moves_its_start(clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    course = running_course(patient, therapist_a, start=today() + timedelta(days=7))
    planned_start = stored(course)

    hold_affected_courses(patient=patient, start=today(), end=None, reason="Fever")
    assert stored(course) == planned_start  # held, not cancelled: the dates still stand

    resume_course(course=course, start=planned_start + timedelta(days=30))
    course.refresh_from_db()

    assert stored(course) == first_date_from_sessions(course)
    assert stored(course) >= planned_start + timedelta(days=30)


def test_a_course_cancelled_before_its_first_session_has_no_start(clinic_a, therapist_a):
    course = running_course(knee_patient(clinic_a), therapist_a, start=today() + timedelta(days=5))

    close_course(course=course, status=Course.CANCELLED)

    assert stored(course) is None


def test_a_session_changed_on_its_own_moves_the_start(clinic_a, therapist_a):
    """The admin's session rows (and any single save or delete) go through the model."""
    course = running_course(knee_patient(clinic_a), therapist_a)
    first = course.sessions.order_by("number").first()

    first.date -= timedelta(days=10)
    first.save()
    assert stored(course) == first.date

    first.delete()
    assert stored(course) == first_date_from_sessions(course) > first.date


def test_the_due_list_is_the_one_the_sessions_give(clinic_a, therapist_a):
    """Compared with the rule worked out from the sessions themselves, for varied histories."""
    for n, months_ago in enumerate([3, 5, 6, 7, 12, 30]):
        patient = knee_patient(clinic_a, last_name=f"History{n}")
        start = today() - relativedelta(months=months_ago)
        for begun in (start - relativedelta(months=8), start):
            course = running_course(patient, therapist_a, start=begun)
            course.sessions.filter(number__lte=12).update(status=Session.DONE)
            close_course(course=course, status=Course.COMPLETED)  # the rest are cancelled
        if n == 4:  # a later course cancelled before it began does not count
            late = running_course(patient, therapist_a, start=today() + timedelta(days=3))
            close_course(course=late, status=Course.CANCELLED)
    running_course(knee_patient(clinic_a, last_name="Running"), therapist_a)

    def expected():
        threshold = today() + timedelta(days=14)
        due = []
        for patient in Patient.objects.filter(clinic=clinic_a):
            courses = list(patient.courses.all())
            if any(c.status in (Course.PLANNED, Course.ACTIVE, Course.ON_HOLD) for c in courses):
                continue
            starts = [first_date_from_sessions(c) for c in courses if c.status == Course.COMPLETED]
            starts = [s for s in starts if s is not None]
            if starts and max(starts) + relativedelta(months=6) <= threshold:
                due.append(patient.last_name)
        return sorted(due)

    found = sorted(p.last_name for p in due_patients(therapist_a, today()))

    assert found == expected()
    assert {"History3", "History4", "History5"} <= set(found)
    assert "History0" not in found and "Running" not in found


def test_the_migration_fills_the_start_of_existing_courses(clinic_a, therapist_a):
    courses = [running_course(knee_patient(clinic_a), therapist_a) for _ in range(3)]
    close_course(course=courses[2], status=Course.CANCELLED)
    first = courses[0].sessions.order_by("number").first()
    record_session(session=first, user=therapist_a, done=False, skip_reason="Ill")
    Course.objects.update(starts_on=None)

    migration = importlib.import_module("protocols.migrations.0012_course_starts_on")
    migration.fill_starts_on(apps, connection.schema_editor(atomic=False))

    for course in courses:
        assert stored(course) == first_date_from_sessions(course)
    assert stored(courses[0]) is not None
    assert stored(courses[2]) is None  # cancelled before it began: every session cancelled
