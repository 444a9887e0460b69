"""Two people changing one course: the later change is refused, nothing is overwritten silently.

The first tests replay the race one step after the other (any database). The last ones run it
for real, with simultaneous connections, on PostgreSQL (``make test`` runs them there).
"""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from protocols.models import Course, Session
from protocols.services import CourseRefused, create_course
from tests.factories import UserFactory
from tests.workspace import classic, knee_patient, running_course, today


@pytest.fixture(autouse=True)
def _library(default_library):
    """The PostgreSQL tests here run on real transactions (see ``conftest.default_library``)."""


@pytest.fixture
def patient(clinic_a):
    return knee_patient(clinic_a, first_name="Olga", last_name="Petrova")


@pytest.fixture
def colleague(clinic_a):
    return UserFactory(
        username="colleague", first_name="Anna", last_name="Smirnova", clinic=clinic_a
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def record_url(session):
    return reverse("protocols:session_record", args=[session.pk])


DONE = {"outcome": "done", "actual_minutes": "7", "pain_before": "3", "pain_after": "1"}


@pytest.mark.django_db
def test_a_session_recorded_from_a_page_opened_before_a_change_is_refused(
    patient, therapist_a, colleague
):
    course = running_course(patient, therapist_a)
    mine, theirs = client_for(therapist_a), client_for(colleague)
    second = course.sessions.get(number=2)
    page = mine.get(record_url(second))  # I open session 2 ...
    version = page.context["form"].initial["version"]

    # ... meanwhile my colleague records session 1 as skipped, which re-plans session 2.
    theirs.post(
        record_url(course.sessions.get(number=1)),
        {"outcome": "skipped", "skip_reason": "discomfort", "version": version},
    )
    response = mine.post(record_url(second), {**DONE, "version": version}, follow=True)

    text = response.content.decode()
    assert "Anna Smirnova changed this course at" in text
    assert "Nothing was saved" in text
    second.refresh_from_db()
    assert second.status == Session.PLANNED and second.pain_before is None
    # Nothing written by me: only the access events of the pages I opened.
    assert not AuditEntry.objects.filter(actor=therapist_a).exclude(action=AuditEntry.Action.ACCESS)


@pytest.mark.django_db
def test_cancelling_from_a_stale_page_is_refused(patient, therapist_a, colleague):
    course = running_course(patient, therapist_a)
    mine, theirs = client_for(therapist_a), client_for(colleague)
    version = mine.get(reverse("protocols:course", args=[course.pk])).context["course"].version
    theirs.post(record_url(course.sessions.get(number=1)), {**DONE, "version": version})

    response = mine.post(
        reverse("protocols:course_close", args=[course.pk, "cancel"]),
        {"version": version},
        follow=True,
    )

    assert "Anna Smirnova changed this course" in response.content.decode()
    course.refresh_from_db()
    assert course.status == Course.ACTIVE
    assert not course.sessions.filter(status=Session.CANCELLED).exists()


@pytest.mark.django_db
def test_a_change_without_the_pages_version_is_refused(patient, therapist_a):
    course = running_course(patient, therapist_a)
    client = client_for(therapist_a)

    record = client.post(record_url(course.sessions.get(number=1)), DONE)
    cancel = client.post(
        reverse("protocols:course_close", args=[course.pk, "cancel"]), {}, follow=True
    )

    assert "This page is out of date" in record.content.decode()
    assert "This page is out of date" in cancel.content.decode()
    assert set(course.sessions.values_list("status", flat=True)) == {Session.PLANNED}


@pytest.mark.django_db
def test_the_latest_page_saves(patient, therapist_a, colleague):
    course = running_course(patient, therapist_a)
    theirs = client_for(colleague)
    theirs.post(record_url(course.sessions.get(number=1)), {**DONE, "version": course.version})

    mine = client_for(therapist_a)
    second = course.sessions.get(number=2)
    version = mine.get(record_url(second)).context["form"].initial["version"]
    mine.post(record_url(second), {**DONE, "version": version})

    assert list(course.sessions.filter(status=Session.DONE).values_list("number", flat=True)) == [
        1,
        2,
    ]


# --- Real simultaneous connections (PostgreSQL) ---------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)


def run_together(*jobs):
    """Run the jobs in threads (each its own database connection), released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_plannings_for_one_patient_make_one_course(patient, therapist_a):
    template = classic(patient.clinic)

    def plan():
        return create_course(
            patient=patient,
            template=template,
            start=today(),
            therapist=therapist_a,
            request_token=uuid.uuid4(),
        )

    results = run_together(plan, plan)

    assert Course.objects.filter(patient=patient).count() == 1
    refused = [r for r in results if isinstance(r, CourseRefused)]
    assert len(refused) == 1
    assert "R4" in {reason.rule for reason in refused[0].refusal.reasons}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_record_on_two_connections_records_once(patient, therapist_a):
    course = running_course(patient, therapist_a)
    first = course.sessions.get(number=1)
    data = {"outcome": "skipped", "skip_reason": "discomfort", "version": course.version}

    def click():
        return client_for(therapist_a).post(record_url(first), data).status_code

    assert run_together(click, click) == [302, 302]

    first.refresh_from_db()
    assert first.status == Session.SKIPPED
    assert course.sessions.count() == 16  # one make-up session, not two
    recorded = AuditEntry.objects.filter(object_id=first.pk, content_type__model="session")
    assert recorded.filter(action=AuditEntry.Action.UPDATE).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_people_recording_at_once_one_is_told_the_course_changed(
    patient, therapist_a, colleague
):
    course = running_course(patient, therapist_a)
    first, second = course.sessions.get(number=1), course.sessions.get(number=2)
    version = course.version

    def record(user, session):
        def job():
            response = client_for(user).post(
                record_url(session), {**DONE, "version": version}, follow=True
            )
            return response.content.decode()

        return job

    pages = run_together(record(therapist_a, first), record(colleague, second))

    assert course.sessions.filter(status=Session.DONE).count() == 1
    assert sum("changed this course" in page for page in pages) == 1
