"""The patient list and a patient's record in the therapist's workspace."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Condition, Exacerbation, Patient
from protocols.models import Course, Session
from tests.factories import ConditionFactory, PatientFactory
from tests.workspace import knee_patient, running_course, today


@pytest.fixture
def signed_in(client, therapist_a):
    client.force_login(therapist_a)
    return client


def names(response):
    return [str(p) for p in response.context["page"]]


@pytest.mark.django_db
def test_search_finds_patients_by_name_prefix_and_by_phone(signed_in, clinic_a):
    PatientFactory(
        clinic=clinic_a, first_name="Olga", last_name="Smirnova", phone="+7 912 555 1234"
    )
    PatientFactory(clinic=clinic_a, first_name="Oleg", last_name="Smirnov", phone="+7 912 777 0000")
    PatientFactory(clinic=clinic_a, first_name="Ivan", last_name="Petrov", phone="+7 900 111 2222")
    url = reverse("patients:list")

    assert names(signed_in.get(url, {"q": "smirn"})) == ["Smirnov Oleg", "Smirnova Olga"]
    assert names(signed_in.get(url, {"q": "smirnova ol"})) == ["Smirnova Olga"]
    assert names(signed_in.get(url, {"q": "555 1234"})) == ["Smirnova Olga"]
    assert names(signed_in.get(url, {"q": "nobody"})) == []
    assert "No patient matches." in signed_in.get(url, {"q": "nobody"}).content.decode()


@pytest.mark.django_db
def test_the_list_filters_by_condition_and_hides_the_archived(signed_in, clinic_a):
    knee = knee_patient(clinic_a, last_name="Kneeova")
    sciatica = PatientFactory(clinic=clinic_a, last_name="Backova")
    ConditionFactory(patient=sciatica, kind=Condition.SCIATICA, stage=None, side="left")
    PatientFactory(clinic=clinic_a, last_name="Oldova", archived=True)
    url = reverse("patients:list")

    assert names(signed_in.get(url, {"condition": "sciatica"})) == [str(sciatica)]
    assert "Oldova" not in " ".join(names(signed_in.get(url)))
    assert "Oldova" in " ".join(names(signed_in.get(url, {"archived": "on"})))
    assert str(knee) in names(signed_in.get(url, {"condition": "knee_arthrosis"}))


@pytest.mark.django_db
def test_the_list_shows_25_a_page(signed_in, clinic_a):
    for i in range(30):
        PatientFactory(clinic=clinic_a, last_name=f"Pat{i:02d}")
    first = signed_in.get(reverse("patients:list"))
    second = signed_in.get(reverse("patients:list"), {"page": 2})

    assert len(names(first)) == 25
    assert len(names(second)) == 5
    assert "Page 1 of 2" in first.content.decode()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_3_or_25_patients(signed_in, clinic_a):
    url = reverse("patients:list")
    for _ in range(3):
        knee_patient(clinic_a)
    few = count_queries(signed_in, url)
    for _ in range(22):
        knee_patient(clinic_a)
    many = count_queries(signed_in, url)

    # session, user with clinic (language), permissions, count, page, the page's conditions
    assert few == many == 6


@pytest.mark.django_db
def test_the_patient_page_costs_the_same_queries_however_long_the_history(
    signed_in, clinic_a, therapist_a
):
    patient = knee_patient(clinic_a)
    url = reverse("patients:detail", args=[patient.pk])
    running_course(patient, therapist_a, start=today() - timedelta(days=300))
    one = count_queries(signed_in, url)
    running_course(patient, therapist_a, start=today() - timedelta(days=150))
    running_course(patient, therapist_a, start=today())

    assert count_queries(signed_in, url) == one <= 12


@pytest.mark.django_db
def test_creating_a_patient_with_bad_input_shows_messages_and_saves_nothing(signed_in):
    response = signed_in.post(
        reverse("patients:create"),
        {
            "first_name": "",
            "last_name": "Test",
            "birth_date": (today() + timedelta(days=3)).isoformat(),
            "email": "not-an-email",
            "language": "en",
        },
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "This field is required." in page
    assert "The date of birth cannot be in the future." in page
    assert "Enter a valid email address." in page
    assert not Patient.objects.filter(last_name="Test").exists()


@pytest.mark.django_db
def test_a_new_patient_belongs_to_the_therapists_clinic(signed_in, clinic_a):
    response = signed_in.post(
        reverse("patients:create"),
        {"first_name": "Nina", "last_name": "Newova", "language": "ru", "phone": "+7 1"},
    )
    patient = Patient.objects.get(last_name="Newova")

    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.clinic == clinic_a


@pytest.mark.django_db
def test_a_patient_with_a_running_course_is_not_archived(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    running_course(patient, therapist_a)

    response = signed_in.post(reverse("patients:archive", args=[patient.pk]), follow=True)

    assert "Finish or cancel this patient" in response.content.decode()
    patient.refresh_from_db()
    assert not patient.archived


@pytest.mark.django_db
def test_archiving_keeps_the_record_and_restoring_brings_it_back(signed_in, patient_a):
    signed_in.post(reverse("patients:archive", args=[patient_a.pk]))
    patient_a.refresh_from_db()
    assert patient_a.archived
    assert patient_a.pk in Patient.objects.values_list("pk", flat=True)

    signed_in.post(reverse("patients:archive", args=[patient_a.pk]), {"archive": "0"})
    patient_a.refresh_from_db()
    assert not patient_a.archived


@pytest.mark.django_db
def test_a_stage_4_or_missing_side_is_refused_on_the_form(signed_in, patient_a):
    response = signed_in.post(
        reverse("patients:condition_new", args=[patient_a.pk]),
        {"kind": "knee_arthrosis", "stage": "4", "side": ""},
    )
    page = response.content.decode()

    assert "Select a valid choice. 4 is not one of the available choices." in page
    assert "Say which knee: left, right or both." in page
    assert not patient_a.conditions.exists()


@pytest.mark.django_db
def test_an_exacerbation_during_a_course_puts_the_rest_on_hold(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    course = running_course(patient, therapist_a)
    condition = patient.conditions.get()

    response = signed_in.post(
        reverse("patients:period_new", args=[patient.pk, "exacerbations"]),
        {"condition": condition.pk, "start": today().isoformat(), "end": ""},
        follow=True,
    )

    course.refresh_from_db()
    assert course.status == Course.ON_HOLD
    assert course.hold_reason.startswith("R6: exacerbation (Knee arthrosis) since")
    assert not course.sessions.filter(status=Session.PLANNED).exists()
    assert "are on hold" in response.content.decode()


@pytest.mark.django_db
def test_a_warning_contraindication_holds_nothing(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    course = running_course(patient, therapist_a)
    kind = patient.clinic.contraindication_kinds.get(code="anticoagulants")

    signed_in.post(
        reverse("patients:period_new", args=[patient.pk, "contraindications"]),
        {"kind": kind.pk, "start": today().isoformat()},
    )

    course.refresh_from_db()
    assert course.status == Course.PLANNED
    assert patient.contraindications.count() == 1


@pytest.mark.django_db
def test_ending_a_period_before_it_started_is_refused(signed_in, clinic_a):
    patient = knee_patient(clinic_a)
    exacerbation = Exacerbation.objects.create(
        patient=patient, condition=patient.conditions.get(), start=today()
    )

    response = signed_in.post(
        reverse("patients:period_end", args=[patient.pk, "exacerbations", exacerbation.pk]),
        {"end": (today() - timedelta(days=2)).isoformat()},
        follow=True,
    )

    assert "The end cannot be before the start" in response.content.decode()
    exacerbation.refresh_from_db()
    assert exacerbation.end is None


@pytest.mark.django_db
def test_the_pain_chart_plots_recorded_scores(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a)
    course = running_course(patient, therapist_a, start=today() - timedelta(days=6))
    for number, (before, after) in enumerate([(6, 4), (5, 3)], start=1):
        course.sessions.filter(number=number).update(
            status=Session.DONE, actual_minutes=10, pain_before=before, pain_after=after
        )

    page = signed_in.get(reverse("patients:detail", args=[patient.pk])).content.decode()

    assert page.count('class="dot-before"') == 2
    assert page.count('class="dot-after"') == 2
    assert "before 6" in page and "after 3" in page


@pytest.mark.django_db
def test_a_name_search_costs_the_same_queries_for_3_or_25_matches(signed_in, clinic_a):
    url = reverse("patients:list") + "?q=Petr"
    for _ in range(3):
        knee_patient(clinic_a)
    few = count_queries(signed_in, url)
    for _ in range(22):
        knee_patient(clinic_a)
    PatientFactory(clinic=clinic_a, last_name="Sidorov")
    many = count_queries(signed_in, url)

    assert len(names(signed_in.get(url))) == 25
    # session, user with clinic, permissions, count, page, the page's conditions
    assert few == many == 6
