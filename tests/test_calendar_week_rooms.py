"""The calendar's other views: one therapist's week, and the day by room."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.models import RECEPTION, Absence, ClosedDate, Room
from protocols.models import Session
from tests.calendar_grid import THINNERS, block_html, book, free_cells, hours
from tests.factories import MONDAY, PatientFactory, UserFactory
from tests.workspace import give_rooms

pytestmark = pytest.mark.django_db

WEEK = reverse("calendar:week")
ROOMS = reverse("calendar:rooms")
WEDNESDAY = MONDAY + timedelta(days=2)


def columns(response):
    return [c.title for c in response.context["grid"].columns]


# --- The week --------------------------------------------------------------------------------


def test_the_week_is_one_therapists_monday_to_sunday_around_the_date(signed_in, therapist_a):
    hours(therapist_a, weekdays=range(5))
    monday = book(therapist_a, day=MONDAY, at=9 * 60)
    friday = book(therapist_a, day=MONDAY + timedelta(days=4), at=15 * 60, minutes=60)
    book(therapist_a, day=MONDAY + timedelta(days=7))  # the next week

    response = signed_in.get(WEEK, {"therapist": therapist_a.pk, "date": WEDNESDAY.isoformat()})
    grid = response.context["grid"]

    assert response.status_code == 200
    assert columns(response) == [
        "Mon 2 Mar", "Tue 3 Mar", "Wed 4 Mar", "Thu 5 Mar", "Fri 6 Mar", "Sat 7 Mar", "Sun 8 Mar",
    ]  # fmt: skip
    assert [[b.pk for b in c.blocks] for c in grid.columns] == [
        [monday.pk],
        [],
        [],
        [],
        [friday.pk],
        [],
        [],
    ]
    page = response.content.decode()
    assert 'style="grid-row:25 / span 4"' in block_html(page, friday)  # 15:00, an hour
    # Saturday and Sunday are not worked: shaded, nothing to drop on
    assert {day for day, _t, _w in free_cells(page)} == {
        (MONDAY + timedelta(days=n)).isoformat() for n in range(5)
    }
    # Sunday is not one of clinic A's days
    assert grid.columns[6].closed == "The clinic is closed"


def test_the_week_defaults_to_my_own_and_offers_the_clinics_therapists(
    signed_in, therapist_a, admin_a, therapist_b
):
    response = signed_in.get(WEEK, {"date": MONDAY.isoformat()})
    page = response.content.decode()

    assert response.context["therapist"] == therapist_a.pk
    assert f'<option value="{therapist_a.pk}" selected>' in page
    assert f'<option value="{admin_a.pk}">' in page
    assert f'<option value="{therapist_b.pk}"' not in page


def test_another_clinics_therapist_is_not_found(signed_in, therapist_b):
    assert signed_in.get(WEEK, {"therapist": therapist_b.pk}).status_code == 404
    assert signed_in.get(WEEK, {"therapist": 987654}).status_code == 404


def test_the_week_shades_an_absence_and_a_holiday(signed_in, therapist_a, clinic_a):
    hours(therapist_a)
    Absence.objects.create(
        therapist=therapist_a, start=MONDAY, end=MONDAY + timedelta(days=1), reason="sickness"
    )
    ClosedDate.objects.create(clinic=clinic_a, date=WEDNESDAY, reason="Holiday")

    response = signed_in.get(WEEK, {"therapist": therapist_a.pk, "date": MONDAY.isoformat()})
    grid = response.context["grid"]

    assert [c.away for c in grid.columns[:3]] == ["away: sickness", "away: sickness", ""]
    assert grid.columns[2].closed == "Closed: Holiday"
    days = {day for day, _t, _w in free_cells(response.content.decode())}
    assert days == {(MONDAY + timedelta(days=n)).isoformat() for n in (3, 4, 5)}


def test_previous_and_next_week_keep_the_therapist(signed_in, therapist_a):
    page = signed_in.get(
        WEEK, {"therapist": therapist_a.pk, "date": WEDNESDAY.isoformat()}
    ).content.decode()

    assert f'href="{WEEK}?therapist={therapist_a.pk}&amp;date=2026-02-25" rel="prev"' in page
    assert f'href="{WEEK}?therapist={therapist_a.pk}&amp;date=2026-03-11" rel="next"' in page


@pytest.mark.parametrize("query", [{"date": "2026-13-01"}, {"therapist": "me"}, {"date": ""}])
def test_a_bad_week_query_falls_back_with_no_error(signed_in, therapist_a, query):
    response = signed_in.get(WEEK, query)

    assert response.status_code == 200
    assert response.context["therapist"] == therapist_a.pk


@pytest.mark.parametrize("bookings", [3, 30])
def test_the_week_costs_the_same_queries_however_busy(
    signed_in, therapist_a, django_assert_num_queries, bookings
):
    hours(therapist_a, start=0, end=24 * 60)
    for n in range(bookings):
        book(
            therapist_a, day=MONDAY + timedelta(days=n % 6), at=8 * 60 + n * 30, warnings=[THINNERS]
        )

    # the session, the user with the clinic, permissions, the clinic's therapists, the week's
    # closed dates, the therapist's hours, their absences, the week's sessions
    with django_assert_num_queries(8):
        response = signed_in.get(WEEK, {"therapist": therapist_a.pk, "date": MONDAY.isoformat()})
    assert len(response.context["grid"].blocks) == bookings


# --- The day by room -------------------------------------------------------------------------


def test_the_rooms_view_has_a_column_per_room_in_use_and_one_for_no_room(
    signed_in, therapist_a, clinic_a
):
    hours(therapist_a)
    first, second = give_rooms(clinic_a, "Room 1", "Room 2")
    Room.objects.create(clinic=clinic_a, name="Old room", active=False, order=5)
    in_first = book(therapist_a, room=first, at=9 * 60)
    in_second = book(therapist_a, room=second, at=10 * 60)
    roomless = book(therapist_a, at=11 * 60)

    response = signed_in.get(ROOMS, {"date": MONDAY.isoformat()})
    grid = response.context["grid"]

    assert columns(response) == ["Room 1", "Room 2", "No room"]
    assert [[b.pk for b in c.blocks] for c in grid.columns] == [
        [in_first.pk],
        [in_second.pk],
        [roomless.pk],
    ]
    assert therapist_a.get_full_name() in block_html(response.content.decode(), in_first)


def test_without_roomless_bookings_there_is_no_no_room_column(signed_in, therapist_a, clinic_a):
    hours(therapist_a)
    (room,) = give_rooms(clinic_a, "Room 1")
    book(therapist_a, room=room)

    assert columns(signed_in.get(ROOMS, {"date": MONDAY.isoformat()})) == ["Room 1"]


def test_the_rooms_view_shows_only_the_clinics_own(signed_in, therapist_a, therapist_b, clinic_b):
    (room_b,) = give_rooms(clinic_b, "Their room")
    theirs = book(therapist_b, room=room_b, patient=PatientFactory(clinic=clinic_b))

    page = signed_in.get(ROOMS, {"date": MONDAY.isoformat()}).content.decode()

    assert "Their room" not in page and f'id="session-{theirs.pk}"' not in page


def test_the_front_desk_sees_the_rooms_without_warnings_or_record_links(
    client, therapist_a, clinic_a
):
    hours(therapist_a)
    (room,) = give_rooms(clinic_a, "Room 1")
    session = book(therapist_a, room=room, warnings=[THINNERS])
    client.force_login(UserFactory(clinic=clinic_a, role=RECEPTION))

    page = client.get(ROOMS, {"date": MONDAY.isoformat()}).content.decode()
    block = block_html(page, session)

    assert "cal-warn" not in block and "Record</a>" not in block and "Move</a>" in block
    assert reverse("protocols:course", args=[session.course_id]) not in page


def test_the_rooms_view_has_previous_and_next_day_and_falls_back_on_a_bad_date(signed_in):
    page = signed_in.get(ROOMS, {"date": MONDAY.isoformat()}).content.decode()
    assert f'href="{ROOMS}?date=2026-03-01" rel="prev"' in page
    assert f'href="{ROOMS}?date=2026-03-03" rel="next"' in page
    assert signed_in.get(ROOMS, {"date": "2026-02-31"}).status_code == 200


@pytest.mark.parametrize("bookings", [3, 30])
def test_the_rooms_view_costs_the_same_queries_however_busy(
    signed_in, therapist_a, clinic_a, django_assert_num_queries, bookings
):
    hours(therapist_a, start=0, end=24 * 60)
    rooms = give_rooms(clinic_a, "Room 1", "Room 2")
    for n in range(bookings):
        book(therapist_a, at=n * 30, room=rooms[n % 2], status=Session.PLANNED)

    # the session, the user with the clinic, permissions, the day's closed date, the hours of
    # that weekday, the rooms in use, the day's sessions
    with django_assert_num_queries(7):
        response = signed_in.get(ROOMS, {"date": MONDAY.isoformat()})
    assert len(response.context["grid"].blocks) == bookings
