"""A handout is rendered once per course version and language, then served from the cache; a
user has at most PDF_RENDERS_PER_USER documents rendering at once."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from documents import pdf
from documents.cache import render_slot
from protocols.models import DocumentJob
from protocols.services import record_session
from tests.factories import UserFactory
from tests.workspace import knee_patient, running_course, today


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs really rendered (each a distinct, tiny document)."""
    made = []
    real = pdf.render_document

    def counting(page, **kwargs):
        made.append(page)
        return real(page, **kwargs)

    monkeypatch.setattr(pdf, "render_document", counting)
    return made


@pytest.fixture
def course(clinic_a, therapist_a):
    return running_course(knee_patient(clinic_a), therapist_a)


def handout(client, course):
    response = client.get(reverse("protocols:course_handout", args=[course.pk]))
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db
def test_a_handout_is_rendered_once_per_course_version_and_language(
    signed_in, course, therapist_a, renders
):
    first = handout(signed_in, course)
    for _ in range(4):
        assert handout(signed_in, course) == first
    assert len(renders) == 1
    # every opening is still on the trail, cached or not
    assert AuditEntry.objects.filter(additional_data__document="handout").count() == 5

    session = course.sessions.order_by("number").first()
    record_session(session=session, user=therapist_a, done=True, actual_minutes=20)
    course.refresh_from_db()
    handout(signed_in, course)
    assert len(renders) == 2  # a new version of the course: rendered again

    patient = course.patient
    patient.language = "ru" if patient.language == "en" else "en"
    patient.save()
    handout(signed_in, course)
    handout(signed_in, course)
    assert len(renders) == 3  # the other language once


@pytest.mark.django_db
def test_a_user_has_at_most_two_documents_rendering_at_once(
    signed_in, course, therapist_a, clinic_a, settings
):
    assert settings.PDF_RENDERS_PER_USER == 2
    sheet = reverse("protocols:course_sheet", args=[course.pk])

    with render_slot(therapist_a):
        assert signed_in.get(sheet).status_code == 200  # the second at once
        with render_slot(therapist_a):
            refused = signed_in.get(sheet)
            colleague = Client()
            colleague.force_login(UserFactory(clinic=clinic_a))
            assert colleague.get(sheet).status_code == 200  # the limit is per user

    assert refused.status_code == 429
    assert "You already have 2 documents being made" in refused.content.decode()
    assert signed_in.get(sheet).status_code == 200  # the slots are free again


@pytest.mark.django_db
def test_background_jobs_being_made_count_against_the_limit(signed_in, course, therapist_a):
    for _ in range(2):
        DocumentJob.objects.create(
            clinic=therapist_a.clinic,
            created_by=therapist_a,
            day=today(),
            language="en",
            status=DocumentJob.RUNNING,
        )

    refused = signed_in.get(reverse("protocols:course_sheet", args=[course.pk]))

    assert refused.status_code == 429
    DocumentJob.objects.update(status=DocumentJob.DONE)
    assert signed_in.get(reverse("protocols:course_sheet", args=[course.pk])).status_code == 200
