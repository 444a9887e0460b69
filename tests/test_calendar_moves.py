"""The calendar's move, no-show, absence and closure pages, as the people at the clinic use them."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.models import RECEPTION, Absence, ClosedDate
from planner.schedule import parse_time
from protocols import booking
from protocols.models import Course, Session
from protocols.services import create_course
from tests.factories import ExacerbationFactory, UserFactory
from tests.test_admin_writes import form_data, with_new_row
from tests.workspace import classic, give_hours, knee_patient, next_working_day, today

pytestmark = pytest.mark.django_db
t = parse_time


@pytest.fixture
def course(clinic_a, therapist_a):
    give_hours(therapist_a)
    start = next_working_day(today() + timedelta(days=1), clinic_a)
    return create_course(
        patient=knee_patient(clinic_a, first_name="Maria", last_name="Petrova"),
        template=classic(clinic_a),
        start=start,
        cadence_days=2,
        therapist=therapist_a,
        preferred_time=t("10:00"),
    )


@pytest.fixture
def colleague(clinic_a):
    person = UserFactory(clinic=clinic_a, first_name="Anna", last_name="Belova")
    give_hours(person)
    return person


@pytest.fixture
def reception(clinic_a):
    return UserFactory(clinic=clinic_a, first_name="Olga", last_name="Desk", role=RECEPTION)


def rows(course):
    return list(
        Session.objects.filter(course=course)
        .order_by("number")
        .values_list("number", "date", "starts_at", "therapist_id", "room_id", "status")
    )


def nth(course, number):
    return Session.objects.get(course=course, number=number)


def move(client, session, day, time, **extra):
    version = Course.objects.get(pk=session.course_id).version
    return client.post(
        reverse("protocols:session_move", args=[session.pk]),
        {"date": day.isoformat(), "time": time, "version": version, "next": "day", **extra},
    )


def test_the_move_page_offers_the_nearest_allowed_times_and_free_colleagues(
    client, course, therapist_a, colleague
):
    client.force_login(therapist_a)
    page = client.get(reverse("protocols:session_move", args=[nth(course, 3).pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Move session 3 of 15" in text
    assert "Anna Belova" in text  # a colleague free at the same time
    assert "Move the rest of the course from here" in text
    assert "2026-" not in text.split("<main", 1)[-1].split('value="20', 1)[0]  # no ISO on show


def test_a_drop_on_a_free_time_moves_the_session_and_comes_back_to_the_day(
    client, course, therapist_a
):
    client.force_login(therapist_a)
    third = nth(course, 3)
    response = move(client, third, third.date, "15:00")
    assert response.status_code == 302 and response["Location"] == "/"
    third.refresh_from_db()
    assert booking.local_minutes(course.patient.clinic, third.starts_at) == (
        third.date,
        t("15:00"),
    )
    page = client.get("/")
    assert "Session 3 of Maria Petrova is now on" in page.content.decode()


def test_a_time_breaking_the_spacing_is_refused_with_its_rule_and_nothing_changes(
    client, course, therapist_a
):
    client.force_login(therapist_a)
    second, third = nth(course, 2), nth(course, 3)
    before = rows(course)
    response = move(client, third, second.date + timedelta(days=1), "10:00")
    text = response.content.decode()
    assert response.status_code == 409
    assert "This time cannot be used" in text and "R18:" in text and "free day" in text
    assert "Nearest times that keep the course" in text
    assert rows(course) == before


def test_the_front_desk_is_told_to_ask_the_therapist_without_the_clinical_detail(
    client, course, reception
):
    third = nth(course, 3)
    condition = course.patient.conditions.get()
    ExacerbationFactory(patient=course.patient, condition=condition, start=third.date)
    # the exacerbation puts the course on hold; give the session back its plan for the test
    Session.objects.filter(pk=third.pk).update(status=Session.PLANNED)
    Session.objects.filter(course=course, number__gt=3).update(status=Session.PLANNED)
    before = rows(course)
    client.force_login(reception)
    response = move(client, nth(course, 3), third.date, "15:00")
    text = response.content.decode()
    assert response.status_code == 409
    assert "clinical rules do not allow this time" in text and "Ask the patient" in text
    assert "exacerbation" not in text.lower() and "R6" not in text
    assert rows(course) == before


def test_a_therapist_may_not_move_a_colleagues_session_an_admin_and_reception_may(
    client, course, clinic_a, admin_a, reception
):
    other = UserFactory(clinic=clinic_a)
    third = nth(course, 3)
    client.force_login(other)
    assert client.get(reverse("protocols:session_move", args=[third.pk])).status_code == 403
    assert move(client, third, third.date, "15:00").status_code == 403
    for person, time in ((admin_a, "15:00"), (reception, "16:00")):
        client.force_login(person)
        assert move(client, nth(course, 3), third.date, time).status_code == 302
    assert booking.local_minutes(clinic_a, nth(course, 3).starts_at)[1] == t("16:00")


def test_a_stand_in_is_chosen_from_the_colleagues_free_then(client, course, therapist_a, colleague):
    client.force_login(therapist_a)
    third = nth(course, 3)
    start = booking.local_minutes(course.patient.clinic, third.starts_at)[1]
    response = move(
        client, third, third.date, f"{start // 60:02d}:{start % 60:02d}", therapist=colleague.pk
    )
    assert response.status_code == 302
    assert nth(course, 3).therapist == colleague


def test_moving_the_rest_of_the_course_re_plans_it_from_the_chosen_day(client, course, therapist_a):
    client.force_login(therapist_a)
    fifth = nth(course, 5)
    start = next_working_day(fifth.date + timedelta(days=10), course.patient.clinic)
    version = Course.objects.get(pk=course.pk).version
    response = client.post(
        reverse("protocols:session_move_rest", args=[fifth.pk]),
        {"date": start.isoformat(), "time": "16:00", "version": version},
    )
    assert response.status_code == 302
    assert nth(course, 5).date == start and nth(course, 4).date < start
    assert booking.local_minutes(course.patient.clinic, nth(course, 9).starts_at)[1] == t("16:00")


def test_a_no_show_is_recorded_and_the_course_grows_by_one(client, course, reception):
    first = nth(course, 1)
    Session.objects.filter(pk=first.pk).update(
        date=today() - timedelta(days=1),
        starts_at=first.starts_at - timedelta(days=(first.date - today()).days + 1),
    )
    client.force_login(reception)
    url = reverse("protocols:session_attendance", args=[first.pk])
    assert client.get(url).status_code == 200
    version = Course.objects.get(pk=course.pk).version
    response = client.post(url, {"status": "no_show", "version": version, "next": "day"})
    assert response.status_code == 302
    assert nth(course, 1).status == Session.NO_SHOW
    assert course.sessions.count() == 16
    shown = client.get(reverse("protocols:session_attendance", args=[nth(course, 2).pk]))
    assert "The course adds one session at its end" in shown.content.decode()


def test_a_cancellation_without_a_reason_is_asked_for_it(client, course, therapist_a):
    client.force_login(therapist_a)
    url = reverse("protocols:session_attendance", args=[nth(course, 2).pk])
    version = Course.objects.get(pk=course.pk).version
    response = client.post(url, {"status": "patient_cancelled", "version": version})
    assert response.status_code == 200
    assert "Say why the patient cancelled" in response.content.decode()
    assert nth(course, 2).status == Session.PLANNED


def test_an_absence_over_two_sessions_lists_them_and_gives_them_to_a_colleague(
    client, course, therapist_a, colleague
):
    client.force_login(therapist_a)
    one, two = nth(course, 2), nth(course, 3)
    fields = {
        "therapist": therapist_a.pk,
        "start": one.date.isoformat(),
        "end": two.date.isoformat(),
        "reason": "leave",
        "note": "",
    }
    url = reverse("calendar:absence_new")
    step = client.post(url, fields)
    text = step.content.decode()
    assert step.status_code == 200
    assert "2 booked sessions fall on these days" in text
    assert "Give every one to Anna Belova" in text
    assert not Absence.objects.exists()

    incomplete = client.post(url, {**fields, "confirm": "1"})
    assert "Nothing was saved" in incomplete.content.decode()
    assert not Absence.objects.exists()

    done = client.post(url, {**fields, "confirm": "1", "all": f"give:{colleague.pk}"})
    assert done.status_code == 302
    assert Absence.objects.filter(therapist=therapist_a).count() == 1
    assert {nth(course, 2).therapist, nth(course, 3).therapist} == {colleague}


def test_the_own_absence_page_sends_booked_days_to_the_calendars_page(client, course, therapist_a):
    client.force_login(therapist_a)
    one = nth(course, 2)
    response = client.post(
        reverse("staff:absences"),
        {"start": one.date.isoformat(), "end": one.date.isoformat(), "reason": "sickness"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("calendar:absence_new"))
    page = client.get(response["Location"])
    assert "1 booked session falls on these days" in page.content.decode()
    assert not Absence.objects.exists()


def test_a_closure_is_an_admins_and_moves_the_days_sessions(client, course, therapist_a, admin_a):
    third = nth(course, 3)
    url = reverse("calendar:closure_new")
    client.force_login(therapist_a)
    assert client.get(url).status_code == 403
    client.force_login(admin_a)
    step = client.post(url, {"date": third.date.isoformat(), "reason": "Holiday"})
    assert "1 booked session falls on these days" in step.content.decode()
    done = client.post(
        url,
        {"date": third.date.isoformat(), "reason": "Holiday", "confirm": "1", "all": "replan"},
    )
    assert done.status_code == 302
    assert ClosedDate.objects.filter(date=third.date).exists()
    assert nth(course, 3).date > third.date


def test_the_admin_refuses_a_closed_day_or_an_absence_over_booked_sessions(
    client, course, admin_a, therapist_a
):
    client.force_login(admin_a)
    clinic = course.patient.clinic
    third = nth(course, 3)
    url = reverse("admin:clinic_clinic_change", args=[clinic.pk])
    data = form_data(client.get(url))
    data = {key: value for key, value in data.items() if not key.startswith("closed_dates-0")}
    response = client.post(url, {**data, "closed_dates-0-date": third.date.isoformat()})
    assert response.status_code == 200
    assert "1 session is booked on this day: close it on the calendar" in response.content.decode()
    assert not ClosedDate.objects.filter(clinic=clinic).exists()

    user_url = reverse("admin:clinic_user_change", args=[therapist_a.pk])
    data = with_new_row(
        form_data(client.get(user_url)),
        "absences",
        start=third.date.isoformat(),
        end=third.date.isoformat(),
        reason="leave",
    )
    response = client.post(user_url, data)
    assert "record the absence on the calendar" in response.content.decode()
    assert not Absence.objects.exists()


def test_the_record_form_records_did_not_attend_like_the_calendar(client, course, therapist_a):
    first = nth(course, 1)
    Session.objects.filter(pk=first.pk).update(
        date=today() - timedelta(days=1),
        starts_at=first.starts_at - timedelta(days=(first.date - today()).days + 1),
    )
    client.force_login(therapist_a)
    version = Course.objects.get(pk=course.pk).version
    response = client.post(
        reverse("protocols:session_record", args=[first.pk]),
        {"outcome": "no_show", "version": version, "note": "No answer on the phone"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Session.NO_SHOW and first.skip_reason == "No answer on the phone"
    assert course.sessions.count() == 16


def test_the_patient_page_counts_no_shows_and_late_cancellations(
    client, course, therapist_a, reception
):
    first, second = nth(course, 1), nth(course, 2)
    Session.objects.filter(pk=first.pk).update(status=Session.NO_SHOW)
    Session.objects.filter(pk=second.pk).update(
        status=Session.PATIENT_CANCELLED,
        skip_reason="Has a cold",
        recorded_at=second.starts_at - timedelta(hours=2),
    )
    url = reverse("patients:detail", args=[course.patient.pk])
    for person in (therapist_a, reception):
        client.force_login(person)
        text = " ".join(client.get(url).content.decode().split())
        assert "Did not attend 1 time · cancelled 1 session (1 late, less than a day before)" in (
            text
        ), person


def test_a_session_already_given_opens_no_move_or_attendance_form(client, course, therapist_a):
    given = nth(course, 1)
    Session.objects.filter(pk=given.pk).update(status=Session.DONE, actual_minutes=7)
    client.force_login(therapist_a)
    for name in ("protocols:session_move", "protocols:session_attendance"):
        response = client.get(reverse(name, args=[given.pk]), follow=True)
        assert "Session 1 is done: only a planned session can be moved or recorded." in (
            response.content.decode()
        )


def test_opening_the_absence_page_with_its_days_in_the_address_records_nothing(
    client, therapist_a, admin_a, course
):
    client.force_login(admin_a)
    far = today() + timedelta(days=200)  # no session booked then
    url = reverse("calendar:absence_new")
    query = f"?therapist={therapist_a.pk}&start={far}&end={far}&reason=leave"
    assert client.get(url + query).status_code == 200
    assert not Absence.objects.exists()


def test_days_out_of_reach_and_times_past_midnight_are_refused_with_a_message(
    client, course, therapist_a
):
    client.force_login(therapist_a)
    third = nth(course, 3)
    before = rows(course)
    response = move(client, third, today().replace(year=9999), "10:00")
    assert response.status_code == 400
    assert "within two years of today" in response.content.decode()
    assert move(client, third, third.date, "24:00").status_code == 400
    fields = {
        "therapist": therapist_a.pk,
        "start": third.date.isoformat(),
        "end": third.date.isoformat(),
        "reason": "leave",
        "confirm": "1",
        f"session-{third.pk}": f"move:{third.date.isoformat()}:24:00",
    }
    response = client.post(reverse("calendar:absence_new"), fields)
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    assert rows(course) == before and not Absence.objects.exists()


def test_a_re_plan_that_gives_a_stand_ins_session_back_says_so(
    client, course, therapist_a, colleague
):
    third = nth(course, 3)
    Session.objects.filter(pk=third.pk).update(therapist=colleague)
    first = nth(course, 1)
    Session.objects.filter(pk=first.pk).update(
        date=today() - timedelta(days=1),
        starts_at=first.starts_at - timedelta(days=(first.date - today()).days + 1),
    )
    client.force_login(therapist_a)
    version = Course.objects.get(pk=course.pk).version
    response = client.post(
        reverse("protocols:session_attendance", args=[first.pk]),
        {"status": "no_show", "version": version},
        follow=True,
    )
    assert "1 session a colleague was to give is with the course's therapist again" in (
        html.unescape(response.content.decode())
    )
    assert nth(course, 3).therapist == therapist_a


def test_absences_and_closures_leave_an_entry_in_the_audit_trail(client, admin_a, therapist_a):
    from audit.models import AuditEntry

    client.force_login(admin_a)
    far = today() + timedelta(days=200)
    before = AuditEntry.objects.count()
    fields = {"therapist": therapist_a.pk, "start": far, "end": far, "reason": "leave"}
    assert client.post(reverse("calendar:absence_new"), fields).status_code == 302
    assert client.post(reverse("calendar:closure_new"), {"date": far}).status_code == 302
    entries = AuditEntry.objects.order_by("pk")[before:]
    kinds = {entry.content_type.model for entry in entries}
    assert {"absence", "closeddate"} <= kinds
    assert {entry.clinic_id for entry in entries} == {admin_a.clinic_id}
    assert all(entry.actor_name for entry in entries if entry.content_type.model == "absence")
