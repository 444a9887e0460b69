"""Planning a course, the live preview, the course page and recording sessions."""

import uuid
from datetime import timedelta
from itertools import pairwise

import pytest
from django.urls import reverse

from patients.models import ContraindicationKind, Exacerbation
from protocols.models import Course, Session
from protocols.services import SEVERE_PAIN
from tests.factories import PatientContraindicationFactory
from tests.workspace import (
    classic,
    give_hours,
    knee_patient,
    next_working_day,
    running_course,
    today,
)


@pytest.fixture
def patient(clinic_a):
    return knee_patient(clinic_a)


def plan_data(clinic, **changes):
    data = {
        "template": classic(clinic).pk,
        "start": today().isoformat(),
        "sessions": "15",
        "cadence_days": "2",
        "token": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_preview_shows_the_dated_sessions_with_their_minutes(signed_in, patient, clinic_a):
    response = signed_in.get(
        reverse("protocols:course_preview", args=[patient.pk]), plan_data(clinic_a)
    )
    plan = response.context["plan"]

    assert [s.minutes for s in plan.sessions][:3] == [7, 8, 9]
    assert plan.sessions[-1].minutes == 15
    assert len(plan.sessions) == 15
    assert all(s.day.weekday() in clinic_a.working_weekdays for s in plan.sessions)
    assert 'id="preview-sessions"' in response.content.decode()


@pytest.mark.django_db
def test_the_preview_names_every_rule_that_refuses(signed_in, patient, clinic_a):
    Exacerbation.objects.create(patient=patient, condition=patient.conditions.get(), start=today())
    PatientContraindicationFactory(patient=patient, start=today(), end=None)

    response = signed_in.get(
        reverse("protocols:course_preview", args=[patient.pk]), plan_data(clinic_a)
    )
    page = response.content.decode()

    assert [rule for rule, _text in response.context["refusal"]] == ["R6", "R9"]
    assert "No later start would help" in page
    assert "Use this date" not in page


@pytest.mark.django_db
def test_the_preview_offers_the_earliest_start_in_one_click(signed_in, patient, clinic_a):
    ends = today() + timedelta(days=10)
    Exacerbation.objects.create(
        patient=patient, condition=patient.conditions.get(), start=today(), end=ends
    )

    response = signed_in.get(
        reverse("protocols:course_preview", args=[patient.pk]), plan_data(clinic_a)
    )

    earliest = response.context["earliest_start"]
    assert earliest == next_working_day(ends + timedelta(days=1), clinic_a)
    assert f'data-use-date="{earliest.isoformat()}"' in response.content.decode()


@pytest.mark.django_db
def test_the_preview_explains_bad_input(signed_in, patient, clinic_a):
    response = signed_in.get(
        reverse("protocols:course_preview", args=[patient.pk]),
        plan_data(clinic_a, sessions="25"),
    )

    assert "This template allows from 15 to 20 sessions." in response.content.decode()


@pytest.mark.django_db
def test_saving_creates_the_course_and_its_sessions(signed_in, patient, clinic_a, therapist_a):
    response = signed_in.post(
        reverse("protocols:course_new", args=[patient.pk]), plan_data(clinic_a)
    )
    course = Course.objects.get(patient=patient)

    assert response["Location"] == reverse("protocols:course", args=[course.pk])
    assert course.sessions.count() == 15
    assert course.therapist == therapist_a
    assert course.cadence_days == 2


@pytest.mark.django_db
def test_a_double_submit_creates_one_course(signed_in, patient, clinic_a):
    data = plan_data(clinic_a)
    url = reverse("protocols:course_new", args=[patient.pk])

    first = signed_in.post(url, data)
    second = signed_in.post(url, data)

    assert Course.objects.filter(patient=patient).count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.django_db
def test_a_refused_course_is_explained_and_not_saved(signed_in, patient, clinic_a):
    Exacerbation.objects.create(patient=patient, condition=patient.conditions.get(), start=today())

    response = signed_in.post(
        reverse("protocols:course_new", args=[patient.pk]), plan_data(clinic_a)
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "R6" in page and "exacerbation of knee arthrosis" in page
    assert not Course.objects.filter(patient=patient).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "2020-01-01"}, "The start cannot be more than 7 days in the past"),
        ({"start": "not a date"}, "Enter a valid date."),
        ({"sessions": "25"}, "This template allows from 15 to 20 sessions."),
        ({"sessions": "many"}, "Enter a whole number."),
        ({"cadence_days": "0"}, "Select a valid choice."),
        ({"template": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_planning_input_gets_a_message_and_changes_nothing(
    signed_in, patient, clinic_a, changes, message
):
    response = signed_in.post(
        reverse("protocols:course_new", args=[patient.pk]), plan_data(clinic_a, **changes)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_another_clinics_template_cannot_be_chosen(signed_in, patient, clinic_a, clinic_b):
    response = signed_in.post(
        reverse("protocols:course_new", args=[patient.pk]),
        plan_data(clinic_a, template=classic(clinic_b).pk),
    )

    assert "Select a valid choice." in response.content.decode()
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_templates_that_suit_the_patient_come_first(signed_in, patient):
    response = signed_in.get(reverse("protocols:course_new", args=[patient.pk]))
    groups = response.context["form"].fields["template"].choices

    assert str(groups[0][0]) == "Suits this patient"
    suited = [name for _pk, name in groups[0][1]]
    assert "Knee arthrosis, stages 1–2: classic massage" in suited
    assert all("Sciatica" not in name for name in suited)


def record_url(session):
    return reverse("protocols:session_record", args=[session.pk])


def as_on_the_page(session, data):
    """The form's fields plus the course version the page carries (hidden)."""
    return {**data, "version": Course.objects.get(pk=session.course_id).version}


@pytest.mark.django_db
def test_recording_a_done_session_keeps_minutes_and_pain(signed_in, patient, therapist_a):
    course = running_course(patient, therapist_a)
    first = course.sessions.get(number=1)

    signed_in.post(
        record_url(first),
        as_on_the_page(
            first, {"outcome": "done", "actual_minutes": "7", "pain_before": "4", "pain_after": "2"}
        ),
    )

    first.refresh_from_db()
    course.refresh_from_db()
    assert (first.status, first.actual_minutes, first.pain_before, first.pain_after) == (
        "done",
        7,
        4,
        2,
    )
    assert first.recorded_by == therapist_a
    assert course.status == Course.ACTIVE


@pytest.mark.django_db
def test_a_double_clicked_record_records_once(signed_in, patient, therapist_a):
    course = running_course(patient, therapist_a)
    first = course.sessions.get(number=1)
    data = as_on_the_page(first, {"outcome": "skipped", "skip_reason": "discomfort"})

    signed_in.post(record_url(first), data)
    response = signed_in.post(record_url(first), data, follow=True)

    assert "already recorded" in response.content.decode()
    assert course.sessions.count() == 16  # one make-up session, not two


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"outcome": "done", "actual_minutes": "7", "pain_before": "11"},
            "less than or equal to 10",
        ),
        ({"outcome": "done", "actual_minutes": "seven"}, "Enter a whole number."),
        ({"outcome": "done"}, "Enter how many minutes the session lasted."),
        ({"outcome": "skipped"}, "Say why the session was skipped."),
        ({"outcome": "skipped", "skip_reason": "other"}, "Write the reason in the note."),
        ({"outcome": "maybe"}, "Select a valid choice."),
    ],
)
def test_bad_session_input_gets_a_message_and_changes_nothing(
    signed_in, patient, therapist_a, data, message
):
    course = running_course(patient, therapist_a)
    first = course.sessions.get(number=1)

    response = signed_in.post(record_url(first), as_on_the_page(first, data))

    assert message in response.content.decode()
    first.refresh_from_db()
    assert first.status == Session.PLANNED
    assert course.sessions.count() == 15


@pytest.mark.django_db
def test_severe_pain_skips_the_session_and_the_course_moves_on(
    signed_in, patient, therapist_a, clinic_a
):
    course = running_course(patient, therapist_a)
    before = list(course.sessions.order_by("number").values_list("date", "planned_minutes"))
    first = course.sessions.get(number=1)

    response = signed_in.post(
        record_url(first),
        as_on_the_page(
            first, {"outcome": "done", "actual_minutes": "7", "pain_before": str(SEVERE_PAIN + 1)}
        ),
        follow=True,
    )

    first.refresh_from_db()
    assert first.status == Session.SKIPPED
    assert "Severe pain before the session (8 of 10)" in first.skip_reason
    assert "massage is not performed" in response.content.decode()
    after = list(course.sessions.filter(number__gt=1).order_by("number"))
    assert len(after) == 15  # the skipped session is made up
    assert after[0].planned_minutes == 7  # the ramp does not advance past a skipped session
    assert [s.planned_minutes for s in after][-1] == 15
    days = [s.date for s in after]
    assert all(b > a for a, b in pairwise(days))
    assert all(d.weekday() in clinic_a.working_weekdays for d in days)
    assert all((b - a).days >= 2 for a, b in pairwise(days))
    assert days[0] >= before[1][0]


@pytest.mark.django_db
def test_a_held_course_resumes_from_a_chosen_date(signed_in, patient, therapist_a, clinic_a):
    course = running_course(patient, therapist_a)
    signed_in.post(
        reverse("patients:period_new", args=[patient.pk, "exacerbations"]),
        {"condition": patient.conditions.get().pk, "start": today().isoformat()},
    )
    exacerbation = patient.exacerbations.get()
    page = signed_in.get(reverse("protocols:course", args=[course.pk])).content.decode()
    assert "On hold." in page and "No date can be suggested" in page

    ended = today() + timedelta(days=3)
    signed_in.post(
        reverse("patients:period_end", args=[patient.pk, "exacerbations", exacerbation.pk]),
        {"end": ended.isoformat()},
    )
    response = signed_in.get(reverse("protocols:course", args=[course.pk]))
    suggested = response.context["resume_form"].initial["start"]
    assert suggested == next_working_day(ended + timedelta(days=1), clinic_a)

    course.refresh_from_db()
    too_early = signed_in.post(
        reverse("protocols:course_resume", args=[course.pk]),
        {"start": today().isoformat(), "version": course.version},
        follow=True,
    )
    assert "R6" in too_early.content.decode()
    course.refresh_from_db()
    assert course.status == Course.ON_HOLD

    signed_in.post(
        reverse("protocols:course_resume", args=[course.pk]),
        {"start": suggested.isoformat(), "version": course.version},
    )
    course.refresh_from_db()
    assert course.status == Course.PLANNED
    sessions = list(course.sessions.order_by("number"))
    assert [s.status for s in sessions] == [Session.PLANNED] * 15
    assert sessions[0].date == suggested
    assert sessions[0].planned_minutes == 7


@pytest.mark.django_db
def test_cancelling_a_course_cancels_its_remaining_sessions(signed_in, patient, therapist_a):
    course = running_course(patient, therapist_a)

    signed_in.post(
        reverse("protocols:course_close", args=[course.pk, "cancel"]), {"version": course.version}
    )

    course.refresh_from_db()
    assert course.status == Course.CANCELLED
    assert set(course.sessions.values_list("status", flat=True)) == {Session.CANCELLED}


@pytest.mark.django_db
def test_completing_offers_the_next_course_from_its_earliest_date(signed_in, patient, therapist_a):
    course = running_course(patient, therapist_a, start=today() - timedelta(days=3))
    course.sessions.filter(number=1).update(status=Session.DONE, actual_minutes=7)

    response = signed_in.post(
        reverse("protocols:course_close", args=[course.pk, "complete"]),
        {"version": course.version},
        follow=True,
    )

    window = response.context["next_window"]
    assert window["earliest"] > today()
    expected = reverse("protocols:course_new", args=[patient.pk])
    assert f"{expected}?start={window['earliest'].isoformat()}" in response.content.decode()


@pytest.mark.django_db
def test_the_day_shows_my_column_first_then_the_clinics(signed_in, clinic_a, therapist_a, admin_a):
    start = next_working_day(today(), clinic_a)
    give_hours(therapist_a, weekdays=range(7))
    give_hours(admin_a, weekdays=range(7))
    theirs = running_course(knee_patient(clinic_a, last_name="Aaronova"), admin_a, start=start)
    mine = running_course(knee_patient(clinic_a, last_name="Zimina"), therapist_a, start=start)

    response = signed_in.get(reverse("home"), {"date": start.isoformat()})
    columns = response.context["grid"].columns

    assert [c.therapist_id for c in columns] == [therapist_a.pk, admin_a.pk]
    assert [b.pk for b in columns[0].blocks] == [mine.sessions.get(number=1).pk]
    assert [b.pk for b in columns[1].blocks] == [theirs.sessions.get(number=1).pk]


@pytest.mark.django_db
def test_the_day_costs_the_same_queries_however_busy(
    signed_in, clinic_a, therapist_a, count_queries
):
    give_hours(therapist_a, weekdays=range(7))
    running_course(knee_patient(clinic_a), therapist_a)
    one = count_queries(signed_in, reverse("home"))
    for _ in range(5):
        running_course(knee_patient(clinic_a), therapist_a)
    many = count_queries(signed_in, reverse("home"))

    # session, user with clinic, permissions, the day's closed date, its sessions, the
    # therapists' hours, their absences, running courses on hold or warned, due patients
    assert one == many == 9


@pytest.mark.django_db
def test_patients_due_for_their_next_course_are_listed(signed_in, clinic_a, therapist_a):
    patient = knee_patient(clinic_a, last_name="Dueva")
    course = running_course(patient, therapist_a, start=today() - timedelta(days=200))
    Course.objects.filter(pk=course.pk).update(status=Course.COMPLETED)
    fresh = knee_patient(clinic_a, last_name="Freshova")
    running_course(fresh, therapist_a)

    due = list(signed_in.get(reverse("home")).context["due"])

    assert due == [patient]


@pytest.mark.django_db
def test_an_impossible_start_in_the_link_falls_back_to_today(signed_in, patient):
    response = signed_in.get(
        reverse("protocols:course_new", args=[patient.pk]), {"start": "2026-02-30"}
    )

    assert response.status_code == 200
    assert response.context["form"].initial["start"] == today()


@pytest.mark.django_db
def test_the_day_lists_courses_on_hold_and_warned_courses_by_name_only(
    signed_in, clinic_a, therapist_a
):
    held = running_course(knee_patient(clinic_a, last_name="Holdova"), therapist_a)
    Course.objects.filter(pk=held.pk).update(status=Course.ON_HOLD, hold_reason="Flare-up")
    thinned = knee_patient(clinic_a, last_name="Warnova")
    PatientContraindicationFactory(
        patient=thinned,
        kind=ContraindicationKind.objects.get(clinic=clinic_a, code="anticoagulants"),
        start=today() - timedelta(days=10),
        end=None,
    )
    warned = running_course(thinned, therapist_a)
    plain = running_course(knee_patient(clinic_a, last_name="Plainova"), therapist_a)

    response = signed_in.get(reverse("home"))
    page = response.content.decode()

    assert warned.warnings
    assert [c.pk for c in response.context["on_hold"]] == [held.pk]
    assert [c.pk for c in response.context["warned"]] == [warned.pk]
    assert f"Holdova Maria · {held.name}" in page
    assert "Flare-up" in page
    assert "Warnova" in page
    assert plain.pk not in [
        c.pk for c in [*response.context["on_hold"], *response.context["warned"]]
    ]


@pytest.mark.django_db
def test_the_course_page_costs_the_same_queries_however_long_the_course(
    signed_in, clinic_a, therapist_a, count_queries
):
    short = running_course(knee_patient(clinic_a), therapist_a)
    Session.objects.filter(course=short, number__gt=3).delete()
    long = running_course(knee_patient(clinic_a), therapist_a)

    # session, user with clinic, permissions, course with patient, clinic, therapist and
    # template, its sessions; the access event (one insert)
    assert (
        count_queries(signed_in, reverse("protocols:course", args=[short.pk]))
        == count_queries(signed_in, reverse("protocols:course", args=[long.pk]))
        == 6
    )


@pytest.mark.django_db
def test_the_preview_costs_the_same_queries_however_long_the_record(
    signed_in, patient, clinic_a, therapist_a, count_queries
):
    url = reverse("protocols:course_preview", args=[patient.pk])
    data = plan_data(clinic_a, start=(today() + timedelta(days=300)).isoformat())
    first = count_queries(signed_in, url, data)
    for months_ago in (24, 17, 10):
        course = running_course(
            patient, therapist_a, start=today() - timedelta(days=30 * months_ago)
        )
        Course.objects.filter(pk=course.pk).update(status=Course.COMPLETED)
    for _ in range(3):
        PatientContraindicationFactory(patient=patient, start=today() - timedelta(days=400))

    # session, user with clinic, permissions, patient with clinic, its conditions (for the
    # form and the planner), active templates (whether they may book a colleague is read from
    # the permissions, no query of its own), then the planner's input: closed dates,
    # exacerbations, contraindications with their kinds, other courses with their first and
    # last dates, the therapist's weekly hours (none here: no times to place)
    assert count_queries(signed_in, url, data) == first == 11


@pytest.mark.django_db
def test_a_refusal_and_the_days_warnings_write_dates_as_people_do_not_iso(
    signed_in, patient, clinic_a
):
    import re

    from django.utils.formats import date_format

    fever = ContraindicationKind.objects.get(clinic=clinic_a, code="fever")
    PatientContraindicationFactory(patient=patient, kind=fever, start=today(), end=None)

    page = signed_in.get(
        reverse("protocols:course_preview", args=[patient.pk]), plan_data(clinic_a)
    ).content.decode()

    assert f"from {date_format(today(), 'SHORT_DATE_FORMAT')}" in page
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", page.split('data-use-date="')[0])


# --- Steps that cannot be undone, and the record form's hidden fields (issue 19) -------------


def course_page(client, course) -> str:
    return client.get(reverse("protocols:course", args=[course.pk])).content.decode()


@pytest.mark.django_db
def test_completing_or_cancelling_a_course_is_a_confirmation_apart_from_the_documents(
    signed_in, patient, therapist_a
):
    course = running_course(patient, therapist_a)

    page = course_page(signed_in, course)

    documents = page.index("Session sheet (PDF)")
    zone = page.index('class="danger-zone')
    assert documents < zone
    assert "Complete the course" not in page[:zone] and "Cancel the course" not in page[:zone]
    cancel = page[page.index("Cancel the course…") :]
    assert cancel.index("its 15 sessions not yet given are cancelled") < cancel.index(
        "Yes, cancel the course"
    )
    # The confirming button is inside a closed <details>: one click alone does not reach it.
    assert page[zone:].count("<details") == 2 and "<details open" not in page


@pytest.mark.django_db
def test_archiving_a_patient_is_a_confirmation_and_restoring_an_everyday_button(signed_in, patient):
    url = reverse("patients:detail", args=[patient.pk])
    page = signed_in.get(url).content.decode()
    zone = page.index('class="danger-zone')
    assert "Yes, archive the patient" in page[zone:]
    header = page[page.index("<h1") : page.index('id="facts"')]
    assert "Plan a course" in header and "Archive" not in header

    signed_in.post(reverse("patients:archive", args=[patient.pk]))
    page = signed_in.get(url).content.decode()
    assert "Restore" in page and "danger-zone" not in page


@pytest.mark.django_db
def test_a_skipped_session_saves_whatever_the_hidden_minutes_and_pain_after_hold(
    signed_in, patient, therapist_a
):
    course = running_course(patient, therapist_a)
    first = course.sessions.get(number=1)

    response = signed_in.post(
        reverse("protocols:session_record", args=[first.pk]),
        {
            "outcome": "skipped",
            "skip_reason": "discomfort",
            "actual_minutes": "0",  # left in the hidden field: out of range, and ignored
            "pain_after": "99",
            "pain_before": "3",
            "version": course.version,
        },
        follow=True,
    )

    first.refresh_from_db()
    assert (first.status, first.actual_minutes, first.pain_after) == (Session.SKIPPED, None, None)
    assert first.pain_before == 3
    assert f"Session 1 of {patient.full_name} recorded as skipped." in response.content.decode()


@pytest.mark.django_db
def test_every_error_of_the_record_form_is_beside_a_field_the_outcome_shows(
    signed_in, patient, therapist_a
):
    course = running_course(patient, therapist_a)
    first = course.sessions.get(number=1)

    response = signed_in.post(
        reverse("protocols:session_record", args=[first.pk]),
        {"outcome": "skipped", "actual_minutes": "500", "version": course.version},
    )

    form = response.context["form"]
    assert set(form.errors) == {"skip_reason"}  # not the hidden minutes
    page = response.content.decode()
    assert "Say why the session was skipped." in page
    first.refresh_from_db()
    assert first.status == Session.PLANNED
