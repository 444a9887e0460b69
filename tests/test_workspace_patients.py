"""The patient list and a patient's record in the therapist's workspace."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from patients.models import Condition, Exacerbation, Patient
from protocols.models import Course, Session
from tests.factories import ConditionFactory, CourseFactory, PatientFactory
from tests.workspace import knee_patient, running_course, today


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


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_3_or_25_patients(signed_in, clinic_a, count_queries):
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
    signed_in, clinic_a, therapist_a, count_queries
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
def test_a_name_search_costs_the_same_queries_for_3_or_25_matches(
    signed_in, clinic_a, count_queries
):
    url = reverse("patients:list") + "?q=Petr"
    for _ in range(3):
        knee_patient(clinic_a)
    few = count_queries(signed_in, url)
    for _ in range(22):
        knee_patient(clinic_a)
    PatientFactory(clinic=clinic_a, last_name="Sidorov")
    many = count_queries(signed_in, url)

    assert len(names(signed_in.get(url))) == 25
    # session, user with clinic, permissions, count, page, the page's conditions; the search's
    # access event (one insert)
    assert few == many == 7


# --- The next-course box (R4, R5) ------------------------------------------------------------
# Courses from the factories, on fixed dates: 15 sessions every other day from Monday 2026-03-02
# (Sundays closed) end on Friday 2026-04-03; "today" is fixed to match.


def shown(day) -> str:
    return f"{day.day} {day:%b %Y}"  # the clinic's SHORT_DATE_FORMAT, "j M Y"


@pytest.fixture
def today_is(monkeypatch):
    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today


def next_course_box(client, patient) -> str:
    """The text of the box as a reader sees it, after its classes; "" when the page has none."""
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    match = re.search(r'<div class="alert ([^"]*)" role="status">(.*?)</div>', page, re.S)
    return " ".join(f"{match[1]} | {unescape(strip_tags(match[2]))}".split()) if match else ""


@pytest.mark.django_db
def test_the_box_shows_a_running_course_and_when_the_next_may_start_and_is_due(
    signed_in, patient_a, today_is
):
    course = CourseFactory(patient=patient_a, status=Course.ACTIVE)
    today_is(date(2026, 3, 10))

    box = next_course_box(signed_in, patient_a)

    assert box == (
        f"alert-light border | In progress {course.name} · "
        "Next course: from 3 May 2026 (R4), due by 2 Sep 2026 (R5)."
    )


@pytest.mark.django_db
def test_a_course_on_hold_is_running_and_never_overdue(signed_in, patient_a, today_is):
    CourseFactory(patient=patient_a, status=Course.ON_HOLD)
    today_is(date(2026, 12, 1))

    box = next_course_box(signed_in, patient_a)

    # One status, the course's own, linked to it: not "running" for a course on hold.
    assert box.startswith("alert-light border | On hold ")
    assert "due by 2 Sep 2026 (R5)" in box
    assert "due now" not in box
    assert box.startswith("alert-light border |")


@pytest.mark.django_db
def test_cancelled_sessions_are_left_out_of_the_next_course_dates(signed_in, patient_a, today_is):
    CourseFactory(patient=patient_a, status=Course.COMPLETED, cancelled=[1, 14, 15])
    today_is(date(2026, 5, 1))

    box = next_course_box(signed_in, patient_a)

    # Session 2 (4 March) starts the course and session 13 (30 March) ends it: the next may
    # start from 30 April, a date already past, which the box says as "now".
    assert box == "alert-light border | Next course: may start now (R4), due by 4 Sep 2026 (R5)."
    page = signed_in.get(reverse("patients:detail", args=[patient_a.pk])).content.decode()
    assert "?start=2026-05-01" in page  # "Plan a course" offers today, not a past date


@pytest.mark.django_db
def test_a_template_with_a_two_month_break_gives_two_months(signed_in, patient_a, today_is):
    course = CourseFactory(patient=patient_a, status=Course.COMPLETED)
    course.template_snapshot["break_months"] = 2
    course.save()
    today_is(date(2026, 5, 1))

    assert "Next course: from 3 Jun 2026 (R4)" in next_course_box(signed_in, patient_a)


@pytest.mark.django_db
def test_a_completed_course_is_overdue_the_day_after_the_next_was_due(
    signed_in, patient_a, today_is
):
    CourseFactory(patient=patient_a, status=Course.COMPLETED)

    today_is(date(2026, 9, 2))
    on_the_day = next_course_box(signed_in, patient_a)
    today_is(date(2026, 9, 3))
    the_day_after = next_course_box(signed_in, patient_a)

    assert "due by 2 Sep 2026 (R5)" in on_the_day
    assert "due now" not in on_the_day
    assert on_the_day.startswith("alert-light border |")
    assert the_day_after == "alert-danger | Next course: due now (R5)."


@pytest.mark.django_db
def test_the_box_follows_the_latest_course_whatever_order_they_were_planned_in(
    signed_in, clinic_a, today_is
):
    late_first, late_last = PatientFactory(clinic=clinic_a), PatientFactory(clinic=clinic_a)
    CourseFactory(patient=late_first, status=Course.COMPLETED, start=date(2026, 9, 1))
    CourseFactory(patient=late_first, status=Course.COMPLETED)
    CourseFactory(patient=late_last, status=Course.COMPLETED)
    CourseFactory(patient=late_last, status=Course.COMPLETED, start=date(2026, 9, 1))
    today_is(date(2026, 10, 5))

    # 1 September to 2 October 2026: from 2 November, due by 1 March 2027.
    for patient in (late_first, late_last):
        box = next_course_box(signed_in, patient)
        assert "Next course: from 2 Nov 2026 (R4), due by 1 Mar 2027 (R5)." in box


@pytest.mark.django_db
def test_cancelled_courses_hold_no_dates_in_the_box(signed_in, patient_a, clinic_a, today_is):
    CourseFactory(patient=patient_a, status=Course.COMPLETED)
    CourseFactory(patient=patient_a, status=Course.CANCELLED, start=date(2026, 9, 1))
    CourseFactory(patient=patient_a, status=Course.COMPLETED, cancelled=list(range(1, 16)))
    only_cancelled = PatientFactory(clinic=clinic_a)
    CourseFactory(patient=only_cancelled, status=Course.CANCELLED)
    today_is(date(2026, 10, 5))

    assert "Next course: due now (R5)." in next_course_box(signed_in, patient_a)
    assert next_course_box(signed_in, only_cancelled) == ""
    page = signed_in.get(reverse("patients:detail", args=[only_cancelled.pk])).content.decode()
    assert "Next course:" not in page
