"""Every workspace URL: anonymous → sign in, another clinic → 404, no role → 403, role → 200."""

import pytest
from django.urls import reverse

from clinic.models import Absence
from protocols.models import DocumentJob
from tests.factories import ExacerbationFactory, UserFactory
from tests.workspace import knee_patient, running_course, today


@pytest.fixture
def records(clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    course = running_course(patient, therapist_a)
    condition = patient.conditions.get()
    exacerbation = ExacerbationFactory(
        patient=patient, condition=condition, start=course.sessions.last().date
    )
    job = DocumentJob.objects.create(
        clinic=clinic_a, created_by=therapist_a, day=today(), language="en", total=1
    )
    absence = Absence.objects.create(
        therapist=therapist_a, start=today(), end=today(), reason=Absence.TRAINING
    )
    return {
        "absence": absence,
        "job": job,
        "patient": patient,
        "course": course,
        "session": course.sessions.get(number=1),
        "condition": condition,
        "exacerbation": exacerbation,
        "contraindication": None,
    }


def object_pages(r):
    p = r["patient"].pk
    return [
        reverse("patients:detail", args=[p]),
        reverse("patients:edit", args=[p]),
        reverse("patients:condition_new", args=[p]),
        reverse("patients:condition_edit", args=[p, r["condition"].pk]),
        reverse("patients:period_new", args=[p, "exacerbations"]),
        reverse("patients:period_new", args=[p, "contraindications"]),
        reverse("patients:period_edit", args=[p, "exacerbations", r["exacerbation"].pk]),
        reverse("protocols:course_new", args=[p]),
        reverse("protocols:course_preview", args=[p]),
        reverse("protocols:course", args=[r["course"].pk]),
        reverse("protocols:session_record", args=[r["session"].pk]),
        reverse("protocols:course_handout", args=[r["course"].pk]),
        reverse("protocols:course_sheet", args=[r["course"].pk]),
        reverse("protocols:course_calendar", args=[r["course"].pk]),
        reverse("protocols:document_job", args=[r["job"].pk]),
        reverse("staff:absence_edit", args=[r["absence"].pk]),
    ]


def object_posts(r):
    p = r["patient"].pk
    return [
        reverse("patients:archive", args=[p]),
        reverse("patients:period_end", args=[p, "exacerbations", r["exacerbation"].pk]),
        reverse("protocols:course_close", args=[r["course"].pk, "complete"]),
        reverse("protocols:course_close", args=[r["course"].pk, "cancel"]),
        reverse("protocols:course_resume", args=[r["course"].pk]),
        reverse("protocols:course_times", args=[r["course"].pk]),
        reverse("staff:absence_delete", args=[r["absence"].pk]),
    ]


LIST_PAGES = [
    "home",
    "calendar:week",
    "calendar:rooms",
    "patients:list",
    "patients:create",
    "protocols:day_sheets",
    "staff:absences",
]


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in_everywhere(client, records):
    for url in [reverse(name) for name in LIST_PAGES] + object_pages(records):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    for url in object_posts(records):
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_another_clinics_records_are_not_found(client, records, therapist_b):
    client.force_login(therapist_b)
    for url in object_pages(records):
        assert client.get(url).status_code == 404, url
    for url in object_posts(records):
        assert client.post(url, {"end": "2026-01-01", "start": "2030-01-01"}).status_code == 404, (
            url
        )
    records["course"].refresh_from_db()
    assert records["course"].status == "planned"


@pytest.mark.django_db
def test_a_member_of_staff_without_a_role_is_refused(client, records, clinic_a):
    nobody = UserFactory(clinic=clinic_a)
    nobody.groups.clear()
    client.force_login(nobody)
    for url in [reverse(name) for name in LIST_PAGES] + object_pages(records):
        assert client.get(url).status_code == 403, url
    for url in object_posts(records):
        assert client.post(url).status_code == 403, url


@pytest.mark.django_db
def test_an_account_without_a_clinic_is_refused(client, records):
    outsider = UserFactory(clinic=None)
    client.force_login(outsider)
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("patients:list")).status_code == 403


@pytest.mark.django_db
def test_a_therapist_opens_every_page_of_the_clinic(client, records, therapist_a):
    client.force_login(therapist_a)
    for url in [reverse(name) for name in LIST_PAGES] + object_pages(records):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_clinic_admin_opens_the_workspace_too(client, records, admin_a):
    client.force_login(admin_a)
    job_page = reverse("protocols:document_job", args=[records["job"].pk])
    absence_page = reverse("staff:absence_edit", args=[records["absence"].pk])
    for url in [reverse(name) for name in LIST_PAGES] + object_pages(records):
        if url not in (job_page, absence_page):
            assert client.get(url).status_code == 200, url
    # a document being rendered belongs to the person who asked for it; in the workspace an
    # absence belongs to its therapist (an admin edits colleagues' in the admin)
    assert client.get(job_page).status_code == 404
    assert client.get(absence_page).status_code == 404


@pytest.mark.django_db
def test_changes_are_refused_by_get(client, records, therapist_a):
    client.force_login(therapist_a)
    for url in object_posts(records):
        assert client.get(url).status_code == 405, url


@pytest.mark.django_db
def test_sign_in_page_and_password_change_work(client, therapist_a):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"),
        {"username": "therapist_a", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a much longer passphrase 2026",
            "new_password2": "a much longer passphrase 2026",
        },
    )
    assert response.status_code == 302
    therapist_a.refresh_from_db()
    assert therapist_a.check_password("a much longer passphrase 2026")
