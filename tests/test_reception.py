"""The front desk (Reception): the calendar and the patients' names and contact details, no
clinical record, no hours of its own, no admin.

Every URL's answer for the role is in test_workspace_access.py and test_admin_writes.py; here is
what the front desk sees on the pages it opens, checked against the texts a therapist sees there.
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.formats import date_format

from audit.models import AuditEntry
from clinic.models import RECEPTION
from front.templatetags.appointments import appointment_time
from patients.models import ContraindicationKind, PatientContraindication
from protocols.models import Session
from tests.factories import ConditionFactory, ExacerbationFactory, PatientFactory
from tests.workspace import give_hours, give_rooms, knee_patient, running_course, today

pytestmark = pytest.mark.django_db

# Texts of the clinical record, each of which a therapist sees on the patient's page.
NOTES = "Afraid of deep pressure since the fall"
CONDITION_NOTE = "Crepitus on the left"
FLARE_NOTE = "Swollen after gardening"
THINNERS_NOTE = "Warfarin 5 mg"
CLINICAL_TEXTS = [
    NOTES,
    "Knee arthrosis",  # the condition (and the course's name)
    FLARE_NOTE,
    "Blood thinners",  # the contraindication
    THINNERS_NOTE,
    "NPRS",  # the pain chart
    "Exacerbations",
    "Contraindications",
]


@pytest.fixture
def record(clinic_a, therapist_a):
    """Maria Ivanova's full record: notes, a condition, a flare-up, blood thinners, a course of
    every other day with times and a room that began six days ago, its past sessions recorded
    with pain and a note."""
    give_hours(therapist_a)
    give_rooms(clinic_a, "Room 1")
    patient = PatientFactory(
        clinic=clinic_a,
        first_name="Maria",
        last_name="Ivanova",
        phone="+7 900 123 4567",
        email="maria.ivanova@example.org",
        birth_date=date(1956, 3, 14),
        language="ru",
        notes=NOTES,
    )
    condition = ConditionFactory(patient=patient, stage=2, side="left", note=CONDITION_NOTE)
    course = running_course(patient, therapist_a, start=today() - timedelta(days=6))
    ExacerbationFactory(
        patient=patient,
        condition=condition,
        start=today() - timedelta(days=60),
        end=today() - timedelta(days=45),
        note=FLARE_NOTE,
    )
    thinners = ContraindicationKind.objects.get(clinic=clinic_a, code="anticoagulants")
    PatientContraindication.objects.create(
        patient=patient, kind=thinners, start=today() - timedelta(days=90), note=THINNERS_NOTE
    )
    course.sessions.filter(date__lt=today()).update(
        status=Session.DONE, pain_before=6, pain_after=3, note="Knee felt warm afterwards"
    )
    return patient


def page_of(client, user, url, **data) -> str:
    client.force_login(user)
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def test_a_therapist_sees_every_clinical_text_of_the_fixture(client, therapist_a, record):
    # What the front desk must not see is really on the page for the clinical staff.
    page = page_of(client, therapist_a, reverse("patients:detail", args=[record.pk]))

    for text in CLINICAL_TEXTS:
        assert text in page, text


def test_the_front_desk_sees_a_contact_card_and_no_clinical_record(client, reception_a, record):
    page = page_of(client, reception_a, reverse("patients:detail", args=[record.pk]))

    assert "Maria Ivanova" in page
    assert "+7 900 123 4567" in page
    assert "maria.ivanova@example.org" in page
    assert date_format(record.birth_date, "SHORT_DATE_FORMAT") in page
    assert "Russian" in page  # the patient's language
    for text in [*CLINICAL_TEXTS, CONDITION_NOTE, "Knee felt warm afterwards", "Pain"]:
        assert text not in page, text
    assert "arthrosis" not in page.lower()
    assert "anticoagulant" not in page.lower()
    assert reverse("patients:edit", args=[record.pk]) not in page
    assert reverse("protocols:course_new", args=[record.pk]) not in page
    assert reverse("audit:patient", args=[record.pk]) not in page
    assert "/courses/" not in page  # no course page, handout, sheet or calendar file


def test_the_front_desk_sees_the_upcoming_appointments_with_their_moves(
    client, reception_a, therapist_a, record
):
    upcoming = list(
        Session.objects.filter(course__patient=record, status=Session.PLANNED, date__gte=today())
    )
    first = min(upcoming, key=lambda s: (s.date, s.starts_at))

    page = page_of(client, reception_a, reverse("patients:detail", args=[record.pk]))

    assert first.starts_at is not None  # booked at a time, in a room
    assert appointment_time(record.clinic.time_zone, first.starts_at, first.ends_at) in page
    assert date_format(first.date, "SHORT_DATE_FORMAT") in page
    assert therapist_a.get_full_name() in page
    assert "Room 1" in page
    for session in upcoming:
        assert reverse("protocols:session_move", args=[session.pk]) in page
        assert reverse("protocols:session_attendance", args=[session.pk]) in page
    # Recorded sessions are not appointments any more.
    for past in Session.objects.filter(course__patient=record, date__lt=today()):
        assert reverse("protocols:session_move", args=[past.pk]) not in page


def test_a_patient_without_appointments_says_so(client, reception_a, clinic_a):
    patient = PatientFactory(clinic=clinic_a)

    page = page_of(client, reception_a, reverse("patients:detail", args=[patient.pk]))

    assert "No upcoming appointment." in page


def test_the_contact_card_speaks_russian(client, reception_a, record):
    reception_a.language = "ru"
    reception_a.save()

    page = page_of(client, reception_a, reverse("patients:detail", args=[record.pk]))

    assert "Ближайшие записи" in page
    assert "Перенести" in page
    assert "Не пришёл / отменил" in page


def test_the_contact_card_costs_the_same_queries_however_many_appointments(
    client, reception_a, clinic_a, therapist_a, count_queries
):
    patient = knee_patient(clinic_a)
    url = reverse("patients:detail", args=[patient.pk])
    client.force_login(reception_a)
    none = count_queries(client, url)
    running_course(patient, therapist_a, start=today(), cadence_days=1)

    # session, user with clinic, permissions, the patient with the clinic, the appointments
    # with their therapists and rooms, the no-shows and cancellations it counts; the access
    # event (one insert)
    assert count_queries(client, url) == none == 7


def test_reading_the_contact_card_leaves_the_trail_a_therapists_read_does(
    client, reception_a, therapist_a, record
):
    url = reverse("patients:detail", args=[record.pk])

    def entries_written_by(user):
        before = AuditEntry.objects.count()
        page_of(client, user, url)
        return AuditEntry.objects.count() - before

    assert entries_written_by(reception_a) == entries_written_by(therapist_a)


def test_the_contact_cards_links_open_the_calendars_pages_without_the_clinical_record(
    client, reception_a, therapist_a, record
):
    card = page_of(client, reception_a, reverse("patients:detail", args=[record.pk]))
    session = Session.objects.filter(
        course__patient=record, status=Session.PLANNED, date__gte=today()
    ).first()
    links = [
        reverse("protocols:session_move", args=[session.pk]),
        reverse("protocols:session_attendance", args=[session.pk]),
    ]

    # the course's name, which names the condition, is on the therapist's move page
    assert "Knee arthrosis" in page_of(client, therapist_a, links[0])
    for url in links:
        assert url in card
        for_desk = page_of(client, reception_a, url)
        assert "Maria Ivanova" in for_desk
        for text in CLINICAL_TEXTS:
            assert text not in for_desk, (url, text)


# --- The patient list ---------------------------------------------------------------------------


@pytest.fixture
def two_patients(clinic_a):
    knee = knee_patient(clinic_a, last_name="Kneeling", phone="+7 900 555 0101")
    other = PatientFactory(clinic=clinic_a, last_name="Otherwise", phone="+7 900 555 0202")
    return knee, other


def test_the_front_desk_lists_names_and_phones_without_conditions(
    client, reception_a, therapist_a, two_patients
):
    url = reverse("patients:list")
    for_therapist = page_of(client, therapist_a, url)
    for_desk = page_of(client, reception_a, url)

    assert "Knee arthrosis" in for_therapist and 'name="condition"' in for_therapist
    assert "Kneeling" in for_desk and "+7 900 555 0101" in for_desk and "Otherwise" in for_desk
    assert "Knee arthrosis" not in for_desk
    assert "Conditions" not in for_desk
    assert 'name="condition"' not in for_desk
    assert reverse("patients:create") not in for_desk  # no "New patient" button


def test_a_condition_in_the_address_tells_the_front_desk_nothing(
    client, reception_a, therapist_a, two_patients
):
    # Filtering by condition would say who has it: for the front desk the filter does not exist.
    url = reverse("patients:list")
    client.force_login(therapist_a)
    filtered = client.get(url, {"condition": "knee_arthrosis"})
    client.force_login(reception_a)
    unfiltered = client.get(url, {"condition": "knee_arthrosis"})

    assert [p.last_name for p in filtered.context["page"]] == ["Kneeling"]
    assert {p.last_name for p in unfiltered.context["page"]} == {"Kneeling", "Otherwise"}


def test_the_front_desk_finds_a_patient_by_phone(client, reception_a, two_patients):
    client.force_login(reception_a)

    response = client.get(reverse("patients:list"), {"q": "555 0202"})

    assert [p.last_name for p in response.context["page"]] == ["Otherwise"]


def test_the_front_desks_list_costs_the_same_queries_for_3_or_25_patients(
    client, reception_a, clinic_a, count_queries
):
    for _ in range(3):
        knee_patient(clinic_a)
    client.force_login(reception_a)
    few = count_queries(client, reverse("patients:list"))
    for _ in range(22):
        knee_patient(clinic_a)

    # session, user with clinic (language), permissions, count, page: no conditions
    assert count_queries(client, reverse("patients:list")) == few == 5


# --- Navigation, the staff page, booking -----------------------------------------------------


def test_the_front_desk_has_no_link_to_hours_or_to_the_admin(client, reception_a, therapist_a):
    desk = page_of(client, reception_a, reverse("patients:list"))
    therapist = page_of(client, therapist_a, reverse("patients:list"))

    for page, shown in [(therapist, True), (desk, False)]:
        assert ("My hours and leave" in page) is shown
        assert (reverse("admin:index") in page) is shown


def test_the_front_desk_has_no_hours_and_leave_page(client, reception_a):
    client.force_login(reception_a)

    assert client.get(reverse("staff:absences")).status_code == 403
    response = client.post(
        reverse("staff:absences"), {"start": "2030-01-01", "end": "2030-01-02", "reason": "leave"}
    )
    assert response.status_code == 403
    assert not reception_a.absences.exists()


def test_a_course_is_not_booked_with_the_front_desk(client, admin_a, reception_a, therapist_a):
    patient = knee_patient(admin_a.clinic)
    client.force_login(admin_a)

    response = client.get(reverse("protocols:course_new", args=[patient.pk]))

    offered = set(response.context["form"].fields["therapist"].queryset)
    assert {admin_a, therapist_a} <= offered
    assert reception_a not in offered
    booked = client.post(
        reverse("protocols:course_new", args=[patient.pk]),
        {"template": response.context["form"].initial["template"], "start": today().isoformat()}
        | {"therapist": reception_a.pk},
    )
    assert booked.status_code == 200  # the form again, with the choice refused
    assert "therapist" in booked.context["form"].errors
    assert not patient.courses.exists()


def test_a_member_of_staff_with_both_roles_keeps_the_therapists_pages(client, therapist_a, record):
    # Reception added to a therapist takes nothing away.
    therapist_a.groups.add(Group.objects.get(name=RECEPTION))
    page = page_of(client, therapist_a, reverse("patients:detail", args=[record.pk]))

    assert NOTES in page
    assert client.get(reverse("staff:absences")).status_code == 200
    assert client.get("/admin/").status_code == 200


# --- The admin -------------------------------------------------------------------------------


def test_the_front_desk_does_not_enter_the_admin(client, reception_a, record):
    client.force_login(reception_a)
    change = f"/admin/patients/patient/{record.pk}/change/"

    for url in ["/admin/", "/admin/patients/patient/", change, "/admin/clinic/clinic/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    refused = client.get("/admin/login/", {"next": change}).content.decode()
    assert "not authorized to access this page" in refused
    assert NOTES not in refused
    posted = client.post(change, {"first_name": "Renamed", "last_name": "Renamed", "_save": "1"})
    assert posted.status_code == 302
    record.refresh_from_db()
    assert record.last_name == "Ivanova"


# --- The day (the calendar) --------------------------------------------------------------------


def day_page(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


WARNING_WORDS = ["Blood thinners", "anticoagulant", "Precaution", "press lightly", "bruis"]


def test_a_therapists_day_shows_the_warning(client, therapist_a, course):
    page = day_page(client, therapist_a).content.decode()

    assert "Blood thinners" in page


def test_the_front_desks_day_shows_no_warning(client, reception_a, course):
    # Whatever the day page's layout (a list, a grid), no word of the warning reaches the desk.
    page = day_page(client, reception_a).content.decode()

    for words in WARNING_WORDS:
        assert words.lower() not in page.lower(), words


def test_the_front_desk_opens_the_day_and_sees_no_warning(client, reception_a, course):
    response = day_page(client, reception_a)

    assert response.status_code == 200
    assert "Ivanova" in response.content.decode()  # the day's patient, by name
    for words in WARNING_WORDS:
        assert words.lower() not in response.content.decode().lower(), words
