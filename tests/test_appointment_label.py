"""``documents.times.appointment_label``: a session's time as people write it."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from documents.times import appointment_label

MOSCOW = SimpleNamespace(time_zone="Europe/Moscow")
ROOM_2 = SimpleNamespace(name="2")


def booked(starts_at, room=ROOM_2):
    return SimpleNamespace(
        starts_at=starts_at,
        date=starts_at.date(),
        room_id=None if room is None else 1,
        room=room,
    )


@pytest.mark.parametrize(
    "language, expected",
    [("en", "Mon 7 Dec, 10:30, room 2"), ("ru", "Пн, 7 декабря, 10:30, кабинет 2")],
)
def test_a_booked_session_reads_its_day_time_and_room_in_the_clinics_zone(language, expected):
    session = booked(datetime(2026, 12, 7, 7, 30, tzinfo=UTC))  # 10:30 in Moscow

    assert appointment_label(session, MOSCOW, language=language) == expected


def test_the_local_day_is_the_clinics_not_utcs():
    session = booked(datetime(2026, 12, 6, 22, 15, tzinfo=UTC))  # 01:15 on the 7th in Moscow

    assert appointment_label(session, MOSCOW, language="en") == "Mon 7 Dec, 01:15, room 2"


def test_a_named_room_keeps_its_name_and_no_room_says_nothing():
    moment = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)

    blue = appointment_label(booked(moment, SimpleNamespace(name="Blue room")), MOSCOW)
    assert blue == "Mon 7 Dec, 10:30, Blue room"
    assert appointment_label(booked(moment, room=None), MOSCOW) == "Mon 7 Dec, 10:30"


@pytest.mark.parametrize(
    "language, expected",
    [("en", "Mon 7 Dec, time to be agreed"), ("ru", "Пн, 7 декабря, время уточняется")],
)
def test_a_session_without_a_time_keeps_its_date_and_says_the_time_is_to_be_agreed(
    language, expected
):
    session = SimpleNamespace(starts_at=None, date=date(2026, 12, 7), room_id=None)

    assert appointment_label(session, MOSCOW, language=language) == expected
