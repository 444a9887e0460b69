"""The course calendar file a patient imports into a phone calendar (RFC 5545)."""

from datetime import time, timedelta

import pytest
from icalendar import Calendar
from icalendar.parser.property import unescape_backslash

from documents.calendar import DEFAULT_START, course_calendar
from protocols.models import Course, Session
from protocols.services import (
    close_course,
    create_course,
    hold_affected_courses,
    record_session,
    resume_course,
)
from tests.workspace import (
    classic,
    give_hours,
    give_rooms,
    knee_patient,
    next_working_day,
    running_course,
    today,
)

HOSTILE_NAME = "<script>alert(1)</script>; , \n 🙂 שלום"


def parse(course):
    """The exported file read back, as the events keyed by UID, in file order."""
    calendar = Calendar.from_ical(course_calendar(course))
    return calendar, {str(event["UID"]): event for event in calendar.events}


def calendar_name(calendar):
    """X-WR-CALNAME is not a property icalendar knows, so it is read back still escaped."""
    return unescape_backslash(str(calendar["X-WR-CALNAME"]))


def sessions_of(course):
    return list(Session.objects.filter(course=course).order_by("number"))


def event_of(events, session):
    return events[f"session-{session.pk}@massage-course-planner"]


def test_file_is_a_publishable_calendar_named_after_the_course(course):
    calendar, _ = parse(course)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Massage course planner//EN"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert course.name
    assert calendar_name(calendar) == course.name


def test_every_session_is_one_event_on_its_date_lasting_its_planned_minutes(course):
    sessions = sessions_of(course)
    _, events = parse(course)

    assert len(events) == len(sessions) == 15
    for session in sessions:
        event = event_of(events, session)
        assert event.start.date() == session.date
        assert event.start.time() == DEFAULT_START == time(9, 0)
        assert event.duration == timedelta(minutes=session.planned_minutes)
        assert event.end - event.start == timedelta(minutes=session.planned_minutes)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event["SEQUENCE"] == 0
        assert event.DTSTAMP.tzinfo is not None and event.DTSTAMP.utcoffset() == timedelta(0)
    lengths = [event.duration for event in events.values()]
    assert lengths[:9] == [timedelta(minutes=m) for m in range(7, 16)]  # the ramp 7, 8 ... 15
    assert set(lengths[9:]) == {timedelta(minutes=15)}


def test_event_title_says_which_session_of_how_many(course):
    _, events = parse(course)

    titles = [str(event["SUMMARY"]) for event in events.values()]
    assert titles[0] == f"Massage session 1 of 15 — {course.name}"
    assert titles[14] == f"Massage session 15 of 15 — {course.name}"


def test_reimporting_the_file_replaces_events_instead_of_duplicating_them(course):
    first = [str(event["UID"]) for event in Calendar.from_ical(course_calendar(course)).events]
    again = [str(event["UID"]) for event in Calendar.from_ical(course_calendar(course)).events]

    assert len(set(first)) == len(first) == 15
    assert first == again
    assert all(uid.endswith("@massage-course-planner") for uid in first)


def test_two_courses_never_share_an_event(clinic_a, therapist_a, course):
    other = running_course(knee_patient(clinic_a), therapist_a)

    _, mine = parse(course)
    _, theirs = parse(other)
    assert not set(mine) & set(theirs)


def test_skipped_session_is_cancelled_and_later_events_move_with_a_higher_sequence(
    clinic_a, therapist_a
):
    # The first session was six days ago and is recorded late as skipped: the rest of the
    # course is planned again from today, each session one step back on the ramp.
    course = running_course(knee_patient(clinic_a), therapist_a, start=today() - timedelta(days=6))
    first, *later = sessions_of(course)
    _, old_events = parse(course)

    record_session(session=first, user=therapist_a, done=False, skip_reason="x")

    _, events = parse(course)
    assert str(event_of(events, first)["STATUS"]) == "CANCELLED"
    after = sessions_of(course)
    assert len(events) == len(after) == 16  # the skipped session is made up at the end
    assert str(event_of(events, after[15])["STATUS"]) == "CONFIRMED"
    for session in after[1:15]:
        event, old = event_of(events, session), event_of(old_events, session)
        assert event.start.date() == session.date
        assert event.duration == timedelta(minutes=session.planned_minutes)
        assert str(event["STATUS"]) == "CONFIRMED"
        if (event.start, event.duration) != (old.start, old.duration):
            assert event["SEQUENCE"] > old["SEQUENCE"]
    second = event_of(events, later[0])
    assert second.start.date() != event_of(old_events, later[0]).start.date()
    assert second.start.date() >= today()
    assert second.duration == timedelta(minutes=7)  # the skipped session's length


def test_held_sessions_are_cancelled_and_come_back_on_their_new_dates(course):
    _, planned = parse(course)

    hold_affected_courses(patient=course.patient, start=today(), end=None, reason="fever")
    _, held = parse(course)
    for uid, event in held.items():
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] > planned[uid]["SEQUENCE"]

    restart = next_working_day(today() + timedelta(days=30), course.patient.clinic)
    resume_course(course=course, start=restart)
    _, resumed = parse(course)
    assert set(resumed) == set(planned)
    for session in sessions_of(course):
        event = event_of(resumed, session)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event["SEQUENCE"] > held[str(event["UID"])]["SEQUENCE"]
        assert event.start.date() == session.date >= restart
    assert event_of(resumed, sessions_of(course)[0]).start.date() == restart


def test_cancelled_course_cancels_every_session_not_yet_done(course, therapist_a):
    done = sessions_of(course)[0]
    record_session(session=done, user=therapist_a, done=True, actual_minutes=7)
    _, before = parse(course)

    close_course(course=course, status=Course.CANCELLED)

    _, events = parse(course)
    assert len(events) == 15
    assert str(event_of(events, done)["STATUS"]) == "CONFIRMED"
    for session in sessions_of(course)[1:]:
        event = event_of(events, session)
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] > event_of(before, session)["SEQUENCE"]


def test_event_tells_where_the_clinic_is_and_whom_to_call(course):
    clinic = course.patient.clinic
    _, events = parse(course)

    for event in events.values():
        assert clinic.address in str(event["LOCATION"])
        assert clinic.name in str(event["LOCATION"])
        description = str(event["DESCRIPTION"])
        assert clinic.phone in description
        assert "fever, bleeding or a new swelling" in description
    assert "7 minutes" in str(next(iter(events.values()))["DESCRIPTION"])


def test_any_text_in_names_and_addresses_survives_the_file_intact(course):
    course.template_snapshot["name"]["en"] = HOSTILE_NAME
    course.save()
    clinic = course.patient.clinic
    clinic.address = "ул. Ленина, 5; кв. 7\n<b>2nd floor</b> (C:\\new)"
    clinic.save()

    calendar, events = parse(Course.objects.get(pk=course.pk))

    raw = course_calendar(Course.objects.get(pk=course.pk))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # only CRLF line ends, no bare newline
    assert calendar_name(calendar) == HOSTILE_NAME
    for event in events.values():
        assert str(event["SUMMARY"]).endswith(f" — {HOSTILE_NAME}")
        assert str(event["LOCATION"]).endswith(clinic.address)
    assert str(events[next(iter(events))]["SUMMARY"]) == f"Massage session 1 of 15 — {HOSTILE_NAME}"


def test_times_are_given_in_the_clinic_time_zone(clinic_a, therapist_a):
    clinic_a.time_zone = "Europe/Moscow"
    clinic_a.save()
    course = running_course(knee_patient(clinic_a), therapist_a)

    raw = course_calendar(course)
    calendar = Calendar.from_ical(raw)

    assert b"DTSTART;TZID=Europe/Moscow:" in raw
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Moscow"]
    for event, session in zip(calendar.events, sessions_of(course), strict=True):
        assert event.start.date() == session.date
        assert event.start.time() == time(9, 0)
        assert event.start.utcoffset() == timedelta(hours=3)
        assert "time is still to be agreed" in str(event["DESCRIPTION"])


def test_file_of_a_loaded_course_needs_no_further_queries(course, django_assert_num_queries):
    loaded = (
        Course.objects.select_related("patient__clinic")
        .prefetch_related("sessions")
        .get(pk=course.pk)
    )

    with django_assert_num_queries(0):
        raw = course_calendar(loaded)
    assert len(Calendar.from_ical(raw).events) == 15


def book(clinic, therapist, start):
    """A course booked at 10:30 in a Moscow clinic (hours with a lunch break, one room)."""
    if clinic.time_zone != "Europe/Moscow":
        clinic.time_zone = "Europe/Moscow"
        clinic.save()
        give_hours(therapist, hours=((540, 780), (840, 1080)))
        give_rooms(clinic, "Room 1")
    return create_course(
        patient=knee_patient(clinic),
        template=classic(clinic),
        start=start,
        therapist=therapist,
        preferred_time=10 * 60 + 30,
    )


@pytest.fixture
def booked(clinic_a, therapist_a):
    return book(clinic_a, therapist_a, today())


def test_a_booked_session_starts_at_its_local_time_and_lasts_its_booking(booked):
    raw = course_calendar(booked)
    calendar, events = parse(booked)

    assert b"DTSTART;TZID=Europe/Moscow:" in raw and b"DTEND;TZID=Europe/Moscow:" in raw
    assert b"DURATION" not in raw  # the end is the booking's, not the massage minutes
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Moscow"]
    sessions = sessions_of(booked)
    assert len(events) == len(sessions) == 15
    for session in sessions:
        event = event_of(events, session)
        assert event.start.time() == time(10, 30)  # what the phone shows
        assert event.start.utcoffset() == timedelta(hours=3)
        assert event.start == session.starts_at and event.end == session.ends_at
        assert event.start.date() == session.date
        assert "time is still to be agreed" not in str(event["DESCRIPTION"])
    first, last = event_of(events, sessions[0]), event_of(events, sessions[-1])
    assert first.end - first.start == timedelta(minutes=30)  # 7 minutes + 10 buffer, 15-min slots
    assert last.end - last.start == timedelta(minutes=30)  # 15 + 10
    assert f"{sessions[0].planned_minutes} minutes" in str(first["DESCRIPTION"])


def test_moved_bookings_keep_their_uids_with_a_higher_sequence(clinic_a, therapist_a):
    # Session 1 was six days ago and is recorded late as skipped: the rest is booked again.
    course = book(clinic_a, therapist_a, today() - timedelta(days=6))
    first, *later = sessions_of(course)
    _, before = parse(course)

    record_session(session=first, user=therapist_a, done=False, skip_reason="x")

    _, after = parse(course)
    assert set(before) <= set(after)
    moved = 0
    for old in later:
        session = Session.objects.get(pk=old.pk)
        event = event_of(after, session)
        assert event["SEQUENCE"] == session.revision
        assert (event.start, event.end) == (session.starts_at, session.ends_at)
        assert event.start.time() == time(10, 30)
        if session.starts_at != old.starts_at:
            assert event["SEQUENCE"] > event_of(before, old)["SEQUENCE"]
            moved += 1
    assert moved
