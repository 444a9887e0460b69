"""The appointment book (R17): courses booked in the therapist's real week, never double-booked.

A therapist with weekly hours gets every session at a time, in a room when the clinic has rooms;
one without hours (a clinic that has not set up its book) gets dated sessions, time to be agreed.
"""

import uuid
from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import RECEPTION, Room, WorkingHours
from protocols import booking
from protocols.models import Course, Session
from protocols.services import create_course, record_session
from tests.factories import UserFactory
from tests.test_concurrency import postgres_only, run_together
from tests.workspace import classic, knee_patient, next_working_day, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _library(default_library):
    """The PostgreSQL tests here run on real transactions (see ``conftest.default_library``)."""


def office_hours(therapist, weekdays=range(6)):
    for weekday in weekdays:
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, start=540, end=780)
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, start=840, end=1080)


@pytest.fixture
def booked_clinic(clinic_a, therapist_a):
    clinic_a.time_zone = "Europe/Moscow"
    clinic_a.save()
    Room.objects.create(clinic=clinic_a, name="Room 1", order=1)
    Room.objects.create(clinic=clinic_a, name="Room 2", order=2)
    office_hours(therapist_a)
    return clinic_a


def plan(patient, therapist, at="10:00", start=None):
    return create_course(
        patient=patient,
        template=classic(patient.clinic),
        start=start or next_working_day(today() + timedelta(days=1), patient.clinic),
        cadence_days=2,
        therapist=therapist,
        preferred_time=booking.scheduling.parse_time(at),
    )


def local(session):
    return session.starts_at.astimezone(booking.zone(session.course.patient.clinic))


def test_every_session_is_booked_at_the_preferred_time_in_the_clinics_zone(
    booked_clinic, therapist_a
):
    course = plan(knee_patient(booked_clinic), therapist_a)

    sessions = list(course.sessions.order_by("number"))
    assert {(local(s).hour, local(s).minute) for s in sessions} == {(10, 0)}
    # 7 to 15 minutes of massage + 10 of buffer, in 15-minute slots: every booking is 30 minutes
    assert {s.ends_at - s.starts_at for s in sessions} == {timedelta(minutes=30)}
    assert sessions[0].starts_at.astimezone(UTC).hour == 7  # Moscow is UTC+3
    assert {s.room.name for s in sessions} == {"Room 1"}
    assert {s.therapist for s in sessions} == {therapist_a}


def test_a_second_patient_at_the_same_time_gets_the_nearest_free_time_not_a_double_booking(
    booked_clinic, therapist_a
):
    first = plan(knee_patient(booked_clinic), therapist_a)
    second = plan(knee_patient(booked_clinic), therapist_a)

    by_day = {s.date: s for s in first.sessions.all()}
    for session in second.sessions.all():
        other = by_day.get(session.date)
        if other is not None:
            assert session.starts_at >= other.ends_at or session.ends_at <= other.starts_at
            # 09:30 and 10:30 are equally near the preferred 10:00: the earlier wins
            assert (local(session).hour, local(session).minute) == (9, 30)


def test_another_therapist_at_the_same_time_takes_the_next_room(booked_clinic, therapist_a):
    colleague = UserFactory(username="colleague", clinic=booked_clinic)
    office_hours(colleague)
    mine = plan(knee_patient(booked_clinic), therapist_a)
    theirs = plan(knee_patient(booked_clinic), colleague)

    assert {s.room.name for s in mine.sessions.all()} == {"Room 1"}
    shared_days = set(mine.sessions.values_list("date", flat=True))
    rooms = {s.room.name for s in theirs.sessions.all() if s.date in shared_days}
    assert rooms == {"Room 2"}


def test_a_therapist_without_hours_gets_dated_sessions_with_the_time_to_be_agreed(clinic_a):
    no_hours = UserFactory(username="new", clinic=clinic_a)

    course = plan(knee_patient(clinic_a), no_hours)

    assert course.sessions.count() == 15
    assert not course.sessions.filter(starts_at__isnull=False).exists()


def test_an_overlapping_booking_is_refused_with_its_time_and_nothing_is_saved(
    booked_clinic, therapist_a
):
    course = plan(knee_patient(booked_clinic), therapist_a)
    taken = course.sessions.order_by("number").first()
    intruder = Session(
        course=plan(knee_patient(booked_clinic), therapist_a, at="15:00"),
        clinic=booked_clinic,
        number=99,
        date=taken.date,
        planned_minutes=10,
        starts_at=taken.starts_at + timedelta(minutes=15),
        ends_at=taken.ends_at + timedelta(minutes=15),
        therapist=therapist_a,
    )
    before = Session.objects.count()

    with pytest.raises(booking.DoubleBooked) as refused, transaction.atomic():
        booking.save_bookings(booked_clinic, [intruder], create=True)

    assert "The therapist already has a booking on" in refused.value.messages[0]
    assert "10:00" in refused.value.messages[0]
    assert Session.objects.count() == before


def test_the_double_booking_check_reads_only_the_days_booked_not_the_history(
    booked_clinic, therapist_a
):
    old = plan(knee_patient(booked_clinic), therapist_a, start=today() - timedelta(days=400))
    Session.objects.filter(course=old).update(status=Session.DONE)  # a year of history
    course = plan(knee_patient(booked_clinic), therapist_a)
    taken = course.sessions.order_by("number").first()
    # The first session's time is freed (PostgreSQL would refuse the overlap set up next) ...
    Session.objects.filter(pk=taken.pk).update(status=Session.CANCELLED)
    # ... and a booking from the evening before that runs into that day still counts.
    evening = Session(
        course=course,
        clinic=booked_clinic,
        number=99,
        date=taken.date - timedelta(days=1),
        planned_minutes=10,
        starts_at=taken.starts_at - timedelta(hours=14),
        ends_at=taken.starts_at + timedelta(minutes=15),
        therapist=therapist_a,
    )
    Session.objects.bulk_create([evening])
    intruder = Session(
        course=course,
        clinic=booked_clinic,
        number=98,
        date=taken.date,
        planned_minutes=10,
        starts_at=taken.starts_at + timedelta(minutes=5),
        ends_at=taken.starts_at + timedelta(minutes=10),
        therapist=therapist_a,
    )

    with CaptureQueriesContext(connection) as queries, pytest.raises(booking.DoubleBooked):
        booking.check_free(booked_clinic, [intruder], ignore=[taken.pk])

    # one query: the live bookings of the therapist or the rooms overlapping the new ones, with
    # starts_at bounded from below too, so the index gives these days and not the past year
    (query,) = queries.captured_queries
    assert '"starts_at" >' in query["sql"] and '"starts_at" <' in query["sql"]


def test_a_skipped_session_is_made_up_at_a_time_too(booked_clinic, therapist_a):
    course = plan(knee_patient(booked_clinic), therapist_a)
    first = course.sessions.get(number=1)

    record_session(session=first, user=therapist_a, done=False, skip_reason="Unwell")

    planned = course.sessions.filter(status=Session.PLANNED)
    assert planned.count() == 15  # the skipped one is made up at the end
    assert not planned.filter(starts_at__isnull=True).exists()
    assert {(local(s).hour, local(s).minute) for s in planned} == {(10, 0)}


def preview(client, patient, template=None, **changes):
    data = {
        "template": (template or classic(patient.clinic)).pk,
        "start": next_working_day(today() + timedelta(days=1), patient.clinic).isoformat(),
        "sessions": "15",
        "cadence_days": "2",
        "preferred_time": "10:00",
        "token": str(uuid.uuid4()),
        **changes,
    }
    return client.get(reverse("protocols:course_preview", args=[patient.pk]), data)


def test_the_preview_shows_each_sessions_time_and_room_and_why_one_moved(
    client, booked_clinic, therapist_a
):
    client.force_login(therapist_a)
    busy = knee_patient(booked_clinic)
    plan(busy, therapist_a, at="10:00")

    page = preview(client, knee_patient(booked_clinic)).content.decode()

    assert "09:30–10:00" in page and "Room 1" in page
    assert "not at the preferred" in page and "moved" in page


def test_the_preview_reads_the_same_queries_with_3_or_30_bookings(
    client, booked_clinic, therapist_a
):
    client.force_login(therapist_a)
    patient = knee_patient(booked_clinic)

    template = classic(booked_clinic)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = preview(client, patient, template, preferred_time="12:00")
            assert page.status_code == 200
        return len(captured)

    plan(knee_patient(booked_clinic), therapist_a, at="09:00")  # 15 bookings
    few = queries()
    plan(knee_patient(booked_clinic), therapist_a, at="15:00")
    plan(knee_patient(booked_clinic), therapist_a, at="16:00")

    # the 11 of a preview without hours, then the therapist's absences, their bookings in the
    # window, the rooms, the rooms' bookings in the window
    assert queries() == few == 15


def test_a_clinic_admin_books_a_colleague_and_a_therapist_only_themselves(
    client, booked_clinic, therapist_a, admin_a
):
    patient = knee_patient(booked_clinic)
    client.force_login(admin_a)
    page = client.get(reverse("protocols:course_new", args=[patient.pk])).content.decode()
    assert 'name="therapist"' in page

    client.force_login(therapist_a)
    page = client.get(reverse("protocols:course_new", args=[patient.pk])).content.decode()
    assert 'name="therapist"' not in page
    assert 'value="09:00"' in page  # the therapist's first hour

    # A therapist who also works the front desk (which moves anyone's sessions) still books
    # only their own time.
    therapist_a.groups.add(Group.objects.get(name=RECEPTION))
    therapist_a = type(therapist_a).objects.get(pk=therapist_a.pk)  # permissions read afresh
    assert therapist_a.has_perm("protocols.move_any_session")
    client.force_login(therapist_a)
    page = client.get(reverse("protocols:course_new", args=[patient.pk])).content.decode()
    assert 'name="therapist"' not in page


# --- Real simultaneous connections (PostgreSQL) ---------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_connections_booking_one_therapist_at_one_time_get_one_booking(
    booked_clinic, therapist_a
):
    course = plan(knee_patient(booked_clinic), therapist_a, at="15:00")
    day = next_working_day(today() + timedelta(days=40), booked_clinic)
    starts = booking.aware(booked_clinic, day, 600)

    def book(number):
        def job():
            with transaction.atomic():
                booking.save_bookings(
                    booked_clinic,
                    [
                        Session(
                            course=course,
                            clinic=booked_clinic,
                            number=number,
                            date=day,
                            planned_minutes=10,
                            starts_at=starts,
                            ends_at=starts + timedelta(minutes=30),
                            therapist=therapist_a,
                        )
                    ],
                    create=True,
                )
            return "booked"

        return job

    results = run_together(book(90), book(91))

    assert Session.objects.filter(starts_at=starts).count() == 1
    refused = [r for r in results if isinstance(r, booking.DoubleBooked)]
    assert len(refused) == 1 and results.count("booked") == 1
    # Whichever came second is told, clearly: by the check if it saw the first booking, by
    # PostgreSQL's constraint if both checked before either wrote.
    message = refused[0].messages[0]
    assert "booked by someone else a moment ago" in message or "already has a booking" in message


@postgres_only
def test_postgresql_itself_refuses_an_overlapping_live_booking(booked_clinic, therapist_a):
    from django.db import IntegrityError

    course = plan(knee_patient(booked_clinic), therapist_a)
    taken = course.sessions.order_by("number").first()

    with pytest.raises(IntegrityError, match="session_therapist_no_overlap"), transaction.atomic():
        Session.objects.create(
            course=course,
            clinic=booked_clinic,
            number=99,
            date=taken.date,
            planned_minutes=10,
            starts_at=taken.starts_at + timedelta(minutes=10),
            ends_at=taken.ends_at,
            therapist=therapist_a,
        )


def test_the_course_and_day_pages_show_times_in_the_clinics_zone(
    client, booked_clinic, therapist_a
):
    client.force_login(therapist_a)
    late = plan(knee_patient(booked_clinic, last_name="Late"), therapist_a, at="16:00")
    early = plan(knee_patient(booked_clinic, last_name="Early"), therapist_a, at="09:00")
    day = early.sessions.get(number=1).date
    Session.objects.filter(course=late, number=1).update(date=day)  # same day for the order
    moved = late.sessions.get(number=1)
    Session.objects.filter(pk=moved.pk).update(
        starts_at=booking.aware(booked_clinic, day, 960),
        ends_at=booking.aware(booked_clinic, day, 990),
    )

    course_page = client.get(reverse("protocols:course", args=[early.pk])).content.decode()
    assert "09:00–09:30 · Room 1" in course_page
    assert "time to be agreed" not in course_page

    response = client.get(reverse("home"), {"date": day.isoformat()})
    day_page = response.content.decode()
    assert day_page.index("09:00–09:30") < day_page.index("16:00–16:30")
    # On the grid (Moscow time, 09:00–13:00 and 14:00–18:00 in 15-minute slots from 09:00):
    # 09:00 is the first row, 16:00 the 29th.
    rows = {b.time: (b.row, b.span) for b in response.context["grid"].blocks}
    assert rows == {"09:00–09:30": (1, 2), "16:00–16:30": (29, 2)}


def test_sessions_without_a_time_get_their_times_in_one_click(client, clinic_a, therapist_a):
    course = plan(knee_patient(clinic_a), therapist_a)  # no hours yet: dated only
    client.force_login(therapist_a)
    page = client.get(reverse("protocols:course", args=[course.pk])).content.decode()
    assert "time to be agreed" in page and "Give the remaining sessions times" in page

    refused = client.post(
        reverse("protocols:course_times", args=[course.pk]),
        {"version": course.version},
        follow=True,
    ).content.decode()
    assert "The therapist has no working hours yet" in refused
    assert not course.sessions.filter(starts_at__isnull=False).exists()

    office_hours(therapist_a)
    course.refresh_from_db()
    done = client.post(
        reverse("protocols:course_times", args=[course.pk]),
        {"version": course.version},
        follow=True,
    ).content.decode()

    assert "15 sessions now have their times." in done
    assert not course.sessions.filter(starts_at__isnull=True).exists()
    assert "Give the remaining sessions times" not in done


def test_plan_course_patient_books_the_therapists_real_hours_and_saves_them(
    capsys, tmp_path, booked_clinic, therapist_a
):
    import json

    from tests.test_plan_course_command import run

    patient = knee_patient(booked_clinic)
    start = next_working_day(today() + timedelta(days=1), booked_clinic).isoformat()
    args = ["--patient", str(patient.pk), "--template", "knee-arthrosis-classic", "--start", start]
    args += ["--therapist", therapist_a.username, "--time", "14:00"]

    status, out, _err = run(capsys, tmp_path, *args, "--save")

    answer = json.loads(out)
    assert status == 0 and answer["ok"] is True
    assert {(s["time"], s["ends"], s["room"]) for s in answer["sessions"]} == {
        ("14:00", "14:30", "Room 1")
    }
    course = Course.objects.get(pk=answer["course_id"])
    assert not course.sessions.filter(starts_at__isnull=True).exists()

    status, _out, err = run(capsys, tmp_path, *args[:-2], "--therapist", "nobody")
    assert status == 2 and "no member of staff 'nobody'" in err
    status, _out, err = run(capsys, tmp_path, *args[:-2], "--time", "25:00")
    assert status == 2 and "--time" in err
