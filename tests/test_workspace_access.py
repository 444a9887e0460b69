"""Every workspace URL: anonymous → sign in, another clinic → 404, no role → 403, role → 200."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from clinic.models import RECEPTION, Absence
from patients.models import Condition, Exacerbation, Patient, PatientContraindication
from protocols.models import Course, DocumentJob, Session
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
        reverse("interop:patient_fhir", args=[p]),  # the record as FHIR: clinical
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
        reverse("protocols:course_email_handout", args=[r["course"].pk]),
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


# --- The front desk (Reception) ------------------------------------------------------------------
# It sees the calendar and the patients' names and contact details, and reads no clinical record:
# each list page's answer is written here (a page added to LIST_PAGES fails below until it is),
# and of the object pages it opens only a patient's page (their contact card); every other object
# page is clinical and refused. The day page is the calendar.
RECEPTION_LIST_PAGES = {
    "home": 200,
    "calendar:week": 200,
    "calendar:rooms": 200,
    "patients:list": 200,
    "patients:create": 403,  # contact details are read-only at the front desk
    "protocols:day_sheets": 403,  # the day's session sheets are clinical
    "staff:absences": 403,  # no hours or leave of its own: it gives no sessions
}
# Pages of the account and of clinic admins that are not in LIST_PAGES.
RECEPTION_ACCOUNT_PAGES = {"password_change": 200, "two_factor_setup": 200}  # offered to all


def reception_opens(r):
    return {reverse("patients:detail", args=[r["patient"].pk])}


def calendar_object_pages(r):
    """The calendar's pages of one session, which the front desk runs (moving it, recording a
    no-show or a cancellation by the patient). Moving the rest of a course is a POST only."""
    s = r["session"].pk
    return [
        reverse("protocols:session_move", args=[s]),
        reverse("protocols:session_attendance", args=[s]),
    ]


# The calendar's pages without an object: the front desk records colleagues' absences; closing
# the clinic for a day is for clinic admins.
RECEPTION_CALENDAR_PAGES = {"calendar:absence_new": 200, "calendar:closure_new": 403}


def all_rows():
    """Every row the workspace could write, to show that a refused request wrote none."""
    models = [Patient, Condition, Exacerbation, PatientContraindication, Course, Session]
    models += [Absence, DocumentJob, AuditEntry]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture
def reception(clinic_a):
    return UserFactory(username="desk", clinic=clinic_a, role=RECEPTION)


def test_every_list_page_has_the_reception_answer():
    assert sorted(RECEPTION_LIST_PAGES) == sorted(LIST_PAGES)


@pytest.mark.django_db
def test_the_front_desk_opens_the_contacts_and_is_refused_every_clinical_page(
    client, records, reception
):
    client.force_login(reception)
    for name, status in RECEPTION_LIST_PAGES.items():
        assert client.get(reverse(name)).status_code == status, name
    for name, status in RECEPTION_ACCOUNT_PAGES.items():
        assert client.get(reverse(name)).status_code == status, name
    opens = reception_opens(records)
    for url in object_pages(records):
        assert client.get(url).status_code == (200 if url in opens else 403), url
    assert client.get(reverse("audit:patient", args=[records["patient"].pk])).status_code == 403
    for url in calendar_object_pages(records):
        assert client.get(url).status_code == 200, url
    for name, status in RECEPTION_CALENDAR_PAGES.items():
        assert client.get(reverse(name)).status_code == status, name


@pytest.mark.django_db
def test_the_front_desk_writes_nothing_anywhere(client, records, reception):
    client.force_login(reception)
    before = all_rows()
    form = {"first_name": "Renamed", "last_name": "Renamed", "phone": "+7 900 111 2233"}
    form |= {"kind": "knee_arthrosis", "stage": "1", "side": "left", "start": "2030-01-01"}
    form |= {"end": "2030-01-02", "status": "done", "actual_minutes": "7", "pain_before": "2"}
    form |= {"reason": "leave", "language": "en"}
    opens = reception_opens(records)
    writes = [u for u in object_pages(records) if u not in opens] + object_posts(records)
    writes += [reverse(name) for name, status in RECEPTION_LIST_PAGES.items() if status == 403]
    writes += [reverse("audit:patient", args=[records["patient"].pk])]
    writes += [reverse(n) for n, status in RECEPTION_CALENDAR_PAGES.items() if status == 403]
    for url in writes:
        assert client.post(url, form).status_code in (403, 405), url  # 405: a page only read
    assert all_rows() == before


@pytest.mark.django_db
def test_the_front_desk_gets_the_same_answer_for_a_record_that_does_not_exist(
    client, records, reception
):
    # A refused page says nothing about the record: the same 403 for an id that is not there.
    client.force_login(reception)
    missing = 10**6
    for name in ["protocols:course", "protocols:course_sheet", "protocols:course_calendar"]:
        assert client.get(reverse(name, args=[missing])).status_code == 403, name
    assert client.get(reverse("audit:patient", args=[missing])).status_code == 403


@pytest.mark.django_db
def test_another_clinics_front_desk_finds_none_of_the_records(client, records, clinic_b):
    client.force_login(UserFactory(clinic=clinic_b, role=RECEPTION))
    opens = reception_opens(records)
    for url in object_pages(records):
        assert client.get(url).status_code == (404 if url in opens else 403), url
    for url in calendar_object_pages(records):
        assert client.get(url).status_code == 404, url
    move_rest = reverse("protocols:session_move_rest", args=[records["session"].pk])
    before = all_rows()
    assert client.post(move_rest, {"date": "2030-01-07", "time": "10:00"}).status_code == 404
    assert all_rows() == before
    # and no patient of clinic A in its list or its search
    listed = client.get(reverse("patients:list"), {"q": records["patient"].last_name})
    assert list(listed.context["page"]) == []
    assert reverse("patients:detail", args=[records["patient"].pk]) not in listed.content.decode()


# --- The calendar's own pages, as every role -------------------------------------------------


def calendar_object_posts(r):
    s = r["session"].pk
    return [
        reverse("protocols:session_move", args=[s]),
        reverse("protocols:session_move_rest", args=[s]),
        reverse("protocols:session_attendance", args=[s]),
    ]


CALENDAR_PAGES = ["calendar:absence_new", "calendar:closure_new"]


@pytest.mark.django_db
def test_the_calendars_pages_send_an_anonymous_visitor_to_sign_in(client, records):
    for url in [reverse(name) for name in CALENDAR_PAGES] + calendar_object_pages(records):
        assert client.get(url)["Location"].startswith(reverse("login")), url
    for url in calendar_object_posts(records):
        assert client.post(url)["Location"].startswith(reverse("login")), url


@pytest.mark.django_db
def test_another_clinics_sessions_are_not_found_on_the_calendars_pages(
    client, records, therapist_b
):
    client.force_login(therapist_b)
    before = all_rows()
    for url in calendar_object_pages(records):
        assert client.get(url).status_code == 404, url
    for url in calendar_object_posts(records):
        data = {"date": "2030-01-07", "time": "10:00", "status": "no_show", "version": 1}
        assert client.post(url, data).status_code == 404, url
    assert all_rows() == before


@pytest.mark.django_db
def test_the_calendars_pages_refuse_staff_without_a_role(client, records, clinic_a):
    nobody = UserFactory(clinic=clinic_a)
    nobody.groups.clear()
    client.force_login(nobody)
    for url in [reverse(name) for name in CALENDAR_PAGES] + calendar_object_pages(records):
        assert client.get(url).status_code == 403, url
    for url in calendar_object_posts(records):
        assert client.post(url).status_code == 403, url


@pytest.mark.django_db
def test_a_therapist_opens_the_calendars_pages_of_their_own_sessions_only(
    client, records, therapist_a, clinic_a, admin_a
):
    client.force_login(therapist_a)
    assert client.get(reverse("calendar:absence_new")).status_code == 200
    assert client.get(reverse("calendar:closure_new")).status_code == 403  # clinic admins close
    for url in calendar_object_pages(records):
        assert client.get(url).status_code == 200, url
    colleague = UserFactory(clinic=clinic_a)
    client.force_login(colleague)  # not their session, not their course: the role says no
    before = all_rows()
    for url in calendar_object_pages(records):
        assert client.get(url).status_code == 403, url
    for url in calendar_object_posts(records):
        assert client.post(url, {"date": "2030-01-07", "time": "10:00"}).status_code == 403, url
    assert all_rows() == before
    client.force_login(admin_a)  # a clinic admin moves any session of the clinic
    for url in [reverse(name) for name in CALENDAR_PAGES] + calendar_object_pages(records):
        assert client.get(url).status_code == 200, url


# --- Pages for clinic admins only ----------------------------------------------------------
# The reports (outcomes, adherence, the appointment book's use): each role's answer.
ADMIN_PAGES = ["reports:index"]


@pytest.mark.django_db
def test_the_reports_are_for_clinic_admins_only(client, records, therapist_a, admin_a, reception):
    urls = [reverse(name) for name in ADMIN_PAGES] + [reverse("reports:csv", args=["outcomes"])]
    for url in urls:
        assert client.get(url)["Location"].startswith(reverse("login")), url
    nobody = UserFactory(clinic=records["patient"].clinic)
    nobody.groups.clear()
    for member, status in [(nobody, 403), (therapist_a, 403), (reception, 403), (admin_a, 200)]:
        client.force_login(member)
        for url in urls:
            assert client.get(url).status_code == status, (member.username, url)
    for url in urls:  # a page only read, even by an admin
        assert client.post(url).status_code == 405, url
