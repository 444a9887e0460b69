"""Rules stated once and used by every entry point: R5's due date, the start window, new clinics.

The due list once counted back from today (``today + 14 days - 6 months``) while the planner
counts forward from the first session (``first + 6 months``); at month ends the two disagree, so
a patient due on 28 February was not listed on 14 February. Now both read the planner.
"""

import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

import planner
from clinic.models import CLINIC_ADMIN, RECEPTION, THERAPIST, Clinic
from ops.clinics import create_clinic
from patients.models import ContraindicationKind
from protocols.models import Course, ProtocolTemplate
from protocols.selectors import due_patients
from tests.test_plan_course_command import run
from tests.workspace import knee_patient, running_course, today

DEFAULT_TEMPLATES = {
    "knee-arthrosis-classic",
    "knee-arthrosis-knee-sparing",
    "after-endoprosthetics",
    "sciatica-leg",
    "swedish-weekly-60",
}


# --- R5: due for the next course -----------------------------------------------------------


@given(
    st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.dates(date(2000, 1, 1), date(2100, 12, 31))
)
def test_a_first_session_is_before_the_bound_exactly_when_its_course_is_due(first, day):
    due = planner.next_course_due(first) <= day
    assert (first <= planner.latest_first_session_due_by(day)) is due


def test_every_august_end_is_due_on_the_last_day_of_february():
    assert planner.latest_first_session_due_by(date(2026, 2, 28)) == date(2025, 8, 31)
    assert planner.next_course_due(date(2025, 8, 29)) == date(2026, 2, 28)
    assert planner.due_soon_horizon(date(2026, 2, 14)) == date(2026, 2, 28)


def completed_course_begun_on(patient, therapist, first_session):
    course = running_course(patient, therapist)
    Course.objects.filter(pk=course.pk).update(status=Course.COMPLETED, starts_on=first_session)
    return course


@pytest.mark.django_db
def test_a_patient_due_on_28_february_is_listed_from_14_february(clinic_a, therapist_a):
    for last_name, first in [
        ("Augustova", date(2025, 8, 29)),
        ("Lastday", date(2025, 8, 31)),
        ("September", date(2025, 9, 1)),  # due 1 March: not yet on 14 February
    ]:
        completed_course_begun_on(knee_patient(clinic_a, last_name=last_name), therapist_a, first)

    listed = [p.last_name for p in due_patients(therapist_a, date(2026, 2, 14))]
    day_before = [p.last_name for p in due_patients(therapist_a, date(2026, 2, 13))]

    assert listed == ["Augustova", "Lastday"]
    assert day_before == []


@pytest.mark.django_db
def test_the_due_list_agrees_with_the_planners_due_date_on_every_day_of_a_year(
    clinic_a, therapist_a
):
    firsts = [date(2025, m, d) for m in (1, 3, 5, 7, 8, 10, 12) for d in (28, 29, 30, 31)]
    for n, first in enumerate(firsts):
        completed_course_begun_on(knee_patient(clinic_a, last_name=f"P{n:02d}"), therapist_a, first)
    day = date(2025, 7, 1)
    while day <= date(2026, 7, 31):
        horizon = day + timedelta(days=planner.DUE_SOON_DAYS)
        expected = {
            f"P{n:02d}" for n, f in enumerate(firsts) if planner.next_course_due(f) <= horizon
        }
        assert {p.last_name for p in due_patients(therapist_a, day)} == expected, day
        day += timedelta(days=7)


# --- The start window: the form and the command -------------------------------------------


@pytest.mark.django_db
def test_plan_course_save_refuses_a_start_outside_the_window_and_saves_nothing(
    capsys, tmp_path, clinic_a
):
    patient = knee_patient(clinic_a)
    long_ago = (today() - timedelta(days=30)).isoformat()
    args = ["--patient", str(patient.pk), "--template", "knee-arthrosis-classic"]

    status, out, err = run(capsys, tmp_path, *args, "--start", long_ago, "--save")
    assert status == 2
    assert "cannot be more than 7 days in the past" in err
    assert Course.objects.count() == 0

    # Only planning (no --save) still answers for any date, as the preview does.
    status, out, _err = run(capsys, tmp_path, *args, "--start", long_ago)
    assert status == 0 and json.loads(out)["ok"] is True


# --- One function makes a clinic ------------------------------------------------------------


@pytest.mark.django_db
def test_a_clinic_made_outside_the_admin_has_its_library_and_the_roles():
    Group.objects.all().delete()

    clinic = create_clinic(name="Made in the shell", working_weekdays=[0, 1, 2, 3, 4])

    templates = set(ProtocolTemplate.objects.filter(clinic=clinic).values_list("slug", flat=True))
    assert templates == DEFAULT_TEMPLATES
    assert ContraindicationKind.objects.filter(clinic=clinic).count() == 6
    assert set(Group.objects.values_list("name", flat=True)) == {THERAPIST, CLINIC_ADMIN, RECEPTION}


@pytest.mark.django_db
def test_a_clinic_that_fails_validation_is_not_saved_at_all():
    with pytest.raises(ValidationError) as refused:
        create_clinic(name="", working_weekdays=[0])

    assert "name" in refused.value.message_dict
    assert not Clinic.objects.filter(name="").exists()
    assert not ProtocolTemplate.objects.filter(clinic__isnull=False, clinic__name="").exists()
