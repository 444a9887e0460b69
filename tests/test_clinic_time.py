"""The clinic's time: its zone and slot step, rooms, and therapists' hours and absences.

Clinic admins edit everyone's hours and absences on the staff member's admin page; every rule an
admin can break there has its own message, and a refused page saves nothing.
"""

from datetime import date

import pytest
from django.urls import reverse

from clinic.models import Absence, Clinic, Room, WorkingHours
from core.fields import clock_text, parse_clock

pytestmark = pytest.mark.django_db


def staff_page_data(user, hours=(), absences=()):
    """What the admin's change page for ``user`` posts, with these hours and absences."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in user.groups.all()],
        "language": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "working_hours-TOTAL_FORMS": str(len(hours)),
        "working_hours-INITIAL_FORMS": "0",
        "absences-TOTAL_FORMS": str(len(absences)),
        "absences-INITIAL_FORMS": "0",
    }
    for n, (weekday, start, end) in enumerate(hours):
        data |= {
            f"working_hours-{n}-weekday": weekday,
            f"working_hours-{n}-start": start,
            f"working_hours-{n}-end": end,
        }
    for n, (start, end) in enumerate(absences):
        data |= {
            f"absences-{n}-start": start,
            f"absences-{n}-end": end,
            f"absences-{n}-reason": "leave",
        }
    return data


def post_staff_page(client, admin, user, **parts):
    client.force_login(admin)
    url = reverse("admin:clinic_user_change", args=[user.pk])
    return client.post(url, staff_page_data(user, **parts))


def test_hours_with_a_lunch_break_and_a_day_ending_at_midnight_are_saved(
    client, admin_a, therapist_a
):
    response = post_staff_page(
        client,
        admin_a,
        therapist_a,
        hours=[(0, "09:00", "13:00"), (0, "14:00", "18:00"), (4, "16:00", "24:00")],
        absences=[("2026-12-21", "2027-01-03")],
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [str(h) for h in WorkingHours.objects.filter(therapist=therapist_a)] == [
        "Monday 09:00–13:00",
        "Monday 14:00–18:00",
        "Friday 16:00–24:00",
    ]
    absence = Absence.objects.get(therapist=therapist_a)
    assert (absence.start, absence.end) == (date(2026, 12, 21), date(2027, 1, 3))


@pytest.mark.parametrize(
    ("hours", "absences", "message"),
    [
        ([(0, "13:00", "09:00")], [], "The hours end before they start: the end must be after"),
        ([(0, "09:00", "09:00")], [], "The hours end before they start"),
        (
            [(2, "09:00", "13:00"), (2, "12:00", "18:00")],
            [],
            "On Wednesday the hours 09:00–13:00 and 12:00–18:00 overlap",
        ),
        ([(0, "25:00", "26:00")], [], "Enter a time from 00:00 to 24:00 as HH:MM"),
        ([(0, "9.30", "12:00")], [], "Enter a time from 00:00 to 24:00 as HH:MM"),
        ([(0, "23:00", "24:30")], [], "Enter a time from 00:00 to 24:00 as HH:MM"),
        ([], [("2026-12-21", "2026-12-01")], "The last day cannot be before the first day."),
    ],
)
def test_each_mistake_in_hours_or_absences_is_named_and_nothing_is_saved(
    client, admin_a, therapist_a, hours, absences, message
):
    therapist_a.first_name = "Before"
    therapist_a.save()
    page = post_staff_page(client, admin_a, therapist_a, hours=hours, absences=absences)

    assert page.status_code == 200
    assert message in page.content.decode()
    assert not WorkingHours.objects.exists() and not Absence.objects.exists()


def test_a_therapist_cannot_change_anyones_hours_in_the_admin(client, therapist_a):
    response = post_staff_page(client, therapist_a, therapist_a, hours=[(0, "09:00", "18:00")])

    assert response.status_code == 403
    assert not WorkingHours.objects.exists()


def test_another_clinics_admin_cannot_reach_the_staff_member(client, admin_a, therapist_b):
    response = post_staff_page(client, admin_a, therapist_b, hours=[(0, "09:00", "18:00")])

    assert response.status_code == 404
    assert not WorkingHours.objects.exists()


def test_the_clinic_page_keeps_its_zone_slot_step_and_rooms(client, admin_a, clinic_a):
    client.force_login(admin_a)
    url = reverse("admin:clinic_clinic_change", args=[clinic_a.pk])
    data = {
        "name": clinic_a.name,
        "address": "",
        "phone": "",
        "working_weekdays": ["0", "1", "2", "3", "4"],
        "default_language": "en",
        "time_zone": "Europe/Moscow",
        "slot_minutes": "20",
        "reminder_time": "18:00",
        "closed_dates-TOTAL_FORMS": "0",
        "closed_dates-INITIAL_FORMS": "0",
        "rooms-TOTAL_FORMS": "2",
        "rooms-INITIAL_FORMS": "0",
        "rooms-0-name": "Room 1",
        "rooms-0-order": "1",
        "rooms-0-active": "on",
        "rooms-1-name": "Room 2",
        "rooms-1-order": "2",
        "rooms-1-active": "on",
    }

    saved = client.post(url, data)
    refused = client.post(url, {**data, "time_zone": "Mars/Olympus", "rooms-TOTAL_FORMS": "0"})

    assert saved.status_code == 302, saved.content.decode()[:3000]
    clinic_a.refresh_from_db()
    assert (clinic_a.time_zone, clinic_a.slot_minutes) == ("Europe/Moscow", 20)
    assert list(Room.objects.filter(clinic=clinic_a).values_list("name", flat=True)) == [
        "Room 1",
        "Room 2",
    ]
    assert "“Mars/Olympus” is not a time zone name" in refused.content.decode()


@pytest.mark.parametrize(("text", "minutes"), [("00:00", 0), ("09:30", 570), ("24:00", 1440)])
def test_clock_times_read_and_print_as_people_write_them(text, minutes):
    assert parse_clock(text) == minutes
    assert clock_text(minutes) == text


@pytest.mark.parametrize("text", ["24:01", "9:5", "12:60", "-1:00", "ab:cd", "", "12"])
def test_clock_times_that_are_no_time_of_day_are_refused(text):
    with pytest.raises(ValueError):
        parse_clock(text)


def test_an_absence_overlapping_another_is_refused_in_the_admin_as_on_the_staff_page(
    client, admin_a, therapist_a
):
    Absence.objects.create(therapist=therapist_a, start=date(2026, 12, 21), end=date(2027, 1, 3))

    page = post_staff_page(client, admin_a, therapist_a, absences=[("2026-12-28", "2027-01-10")])

    assert page.status_code == 200
    assert "These days overlap another absence" in page.content.decode()
    assert Absence.objects.count() == 1


def test_the_reminder_time_passes_djangos_checks_even_at_six_in_the_evening(monkeypatch):
    # A fixed 18:00 default made `check --deploy` warn (fields.W161) when run at 18:00:0x.
    import datetime as dt

    from django.utils import timezone

    evening = dt.datetime.combine(dt.date.today(), dt.time(18, 0, 3), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: evening)

    assert Clinic._meta.get_field("reminder_time").check() == []
