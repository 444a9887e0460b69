"""The home page: the clinic's day as a time grid, a column per therapist working that day."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import RECEPTION, Absence, ClosedDate
from protocols.models import Session
from tests.calendar_grid import THINNERS, block_html, book, free_cells, hours
from tests.factories import MONDAY, PatientFactory, UserFactory
from tests.workspace import give_rooms

pytestmark = pytest.mark.django_db

DAY = reverse("home")


def monday(client, **params):
    return client.get(DAY, {"date": MONDAY.isoformat(), **params})


def column_titles(page: str) -> list[str]:
    return re.findall(r'<div class="cal-col" style="grid-column:\d+" data-column="([^"]+)"', page)


@pytest.fixture
def colleagues(clinic_a, therapist_a, admin_a):
    """Therapist A (Anna Therapist0) and two colleagues: Boris Orlov and Zoya Zimina."""
    zoya = UserFactory(clinic=clinic_a, first_name="Zoya", last_name="Zimina")
    boris = UserFactory(clinic=clinic_a, first_name="Boris", last_name="Orlov")
    for person in (therapist_a, zoya, boris):
        hours(person)
    return boris, zoya


def test_a_column_for_each_therapist_working_that_day_mine_first_then_by_name(
    client, therapist_a, colleagues, clinic_a
):
    _boris, zoya = colleagues
    resting = UserFactory(clinic=clinic_a, first_name="Alla", last_name="Restova")
    hours(resting, weekdays=[1, 2])  # not on Mondays
    client.force_login(zoya)

    page = monday(client).content.decode()

    assert column_titles(page) == ["Zoya Zimina", therapist_a.get_full_name(), "Boris Orlov"]
    assert "Alla Restova" not in page


def test_a_therapist_without_hours_that_day_gets_a_column_for_a_booking(
    signed_in, therapist_a, clinic_a
):
    hours(therapist_a)
    standin = UserFactory(clinic=clinic_a, first_name="Vera", last_name="Standina")
    book(standin, at=17 * 60)

    page = monday(signed_in).content.decode()

    assert column_titles(page) == [therapist_a.get_full_name(), "Vera Standina"]


def test_a_booking_is_a_block_as_long_as_it_lasts(signed_in, therapist_a, clinic_a):
    hours(therapist_a)  # 09:00–18:00 in 15-minute slots: row 1 is 09:00
    hour_long = book(therapist_a, at=10 * 60, minutes=60)
    short = book(therapist_a, at=12 * 60, minutes=30)

    page = monday(signed_in).content.decode()

    assert 'style="grid-row:5 / span 4"' in block_html(page, hour_long)  # 10:00, four slots
    assert 'style="grid-row:13 / span 2"' in block_html(page, short)  # 12:00, two slots
    assert "10:00–11:00" in block_html(page, hour_long)


def test_the_rows_run_from_the_earliest_hour_to_the_latest_end_and_cover_any_booking(
    signed_in, therapist_a, clinic_a
):
    hours(therapist_a, start=9 * 60, end=13 * 60)
    evening = UserFactory(clinic=clinic_a)
    hours(evening, start=14 * 60, end=20 * 60)
    late = book(evening, at=20 * 60 + 30, minutes=30)  # after the hours: the grid grows

    response = monday(signed_in)
    grid = response.context["grid"]

    assert (grid.start, grid.end, grid.rows) == (9 * 60, 21 * 60, 48)
    assert grid.times[0] == (1, "09:00")
    assert 'style="grid-row:47 / span 2"' in block_html(response.content.decode(), late)


def test_a_block_says_who_which_session_minutes_room_and_status(signed_in, therapist_a, clinic_a):
    hours(therapist_a)
    room = give_rooms(clinic_a, "Room 1")[0]
    patient = PatientFactory(clinic=clinic_a, first_name="Maria", last_name="Ivanova")
    session = book(therapist_a, patient=patient, room=room, status=Session.DONE)
    session.course.sessions.filter(number=15).update(status=Session.CANCELLED)

    block = block_html(monday(signed_in).content.decode(), session)

    assert "Ivanova Maria" in block
    assert "session 1 of 14" in block  # the cancelled session does not count
    assert "7 min" in block
    assert "Room 1" in block
    assert "done" in block


def test_cancelled_sessions_are_not_shown(signed_in, therapist_a):
    hours(therapist_a)
    cancelled = book(therapist_a, status=Session.CANCELLED)

    page = monday(signed_in).content.decode()

    assert f'id="session-{cancelled.pk}"' not in page


def test_time_outside_the_hours_is_shaded_and_only_free_time_takes_a_drop(
    signed_in, therapist_a, clinic_a
):
    hours(therapist_a, start=9 * 60, end=12 * 60)
    other = UserFactory(clinic=clinic_a)
    hours(other, start=9 * 60, end=13 * 60)
    book(therapist_a, at=10 * 60, minutes=30)

    page = monday(signed_in).content.decode()
    mine = {time for day, time, who in free_cells(page) if who == str(therapist_a.pk)}

    # 09:00–12:00 is 12 slots; 10:00 and 10:15 are booked; 12:00–13:00 is outside the hours
    assert len(mine) == 10
    assert {"10:00", "10:15", "12:00", "12:45"}.isdisjoint(mine)
    assert {"09:00", "10:30", "11:45"} <= mine
    assert {day for day, _t, _w in free_cells(page)} == {"2026-03-02"}
    assert page.count("cal-slot cal-off") == 4  # therapist A's 12:00–13:00


def test_an_absence_is_shaded_with_its_reason_and_takes_no_drop(signed_in, therapist_a, colleagues):
    boris, _zoya = colleagues
    Absence.objects.create(
        therapist=boris, start=MONDAY - timedelta(days=3), end=MONDAY, reason=Absence.LEAVE
    )

    page = monday(signed_in).content.decode()

    assert "away: leave" in page
    assert not [cell for cell in free_cells(page) if cell[2] == str(boris.pk)]
    assert [cell for cell in free_cells(page) if cell[2] == str(therapist_a.pk)]


def test_a_closed_day_says_so(signed_in, therapist_a, clinic_a):
    hours(therapist_a)
    ClosedDate.objects.create(clinic=clinic_a, date=MONDAY, reason="Spring holiday")
    sunday = MONDAY - timedelta(days=1)  # not one of clinic A's working days

    holiday = monday(signed_in).content.decode()
    closed = signed_in.get(DAY, {"date": sunday.isoformat()}).content.decode()

    assert "Closed: Spring holiday" in holiday
    assert free_cells(holiday) == []
    assert "The clinic is closed" in closed


def test_another_clinics_sessions_never_appear(signed_in, therapist_a, therapist_b, clinic_b):
    hours(therapist_a)
    hours(therapist_b)
    theirs = book(therapist_b, patient=PatientFactory(clinic=clinic_b, last_name="Strangerova"))

    page = monday(signed_in).content.decode()

    assert f'id="session-{theirs.pk}"' not in page
    assert "Strangerova" not in page
    assert therapist_b.get_full_name() not in page


def test_a_planned_session_has_record_move_and_attendance_links(signed_in, therapist_a, clinic_a):
    hours(therapist_a)
    session = book(therapist_a)

    block = block_html(monday(signed_in).content.decode(), session)

    assert f'href="{reverse("protocols:session_record", args=[session.pk])}?next=day"' in block
    move = reverse("protocols:session_move", args=[session.pk])
    attendance = reverse("protocols:session_attendance", args=[session.pk])
    back = "?next=%2F%3Fdate%3D2026-03-02"
    assert f'href="{move}{back}">Move</a>' in block
    assert f'href="{attendance}{back}">No-show / cancelled</a>' in block
    assert f'draggable="true" data-move-url="{move}"' in block
    assert f'data-version="{session.course.version}"' in block


def test_a_therapist_moves_only_their_own_sessions_an_admin_any(
    client, therapist_a, admin_a, clinic_a
):
    colleague = UserFactory(clinic=clinic_a)
    hours(colleague)
    theirs = book(colleague)
    standing_in = book(colleague, at=11 * 60, course_therapist=therapist_a)  # my course
    given_by_me = book(therapist_a, at=12 * 60, course_therapist=colleague)  # I stand in

    client.force_login(therapist_a)
    page = monday(client).content.decode()
    client.force_login(admin_a)
    admins = monday(client).content.decode()

    assert "Move</a>" not in block_html(page, theirs)
    assert "draggable" not in block_html(page, theirs)
    assert "Move</a>" in block_html(page, standing_in)
    assert "Move</a>" in block_html(page, given_by_me)
    assert "Record</a>" in block_html(page, theirs)  # recording is the therapist role's
    assert all("Move</a>" in block_html(admins, s) for s in (theirs, standing_in, given_by_me))


def test_a_session_already_given_has_no_links_to_change_it(signed_in, therapist_a):
    hours(therapist_a)
    done = book(therapist_a, status=Session.DONE)

    block = block_html(monday(signed_in).content.decode(), done)

    assert "Record</a>" not in block and "Move</a>" not in block and "draggable" not in block


def test_warnings_are_an_icon_with_one_short_line_on_hover_and_focus(
    signed_in, therapist_a, clinic_a
):
    hours(therapist_a)
    session = book(therapist_a, warnings=[THINNERS])

    page = monday(signed_in).content.decode()
    block = block_html(page, session)

    assert (
        f'<button type="button" class="cal-warn" aria-label="Warnings" '
        f'aria-describedby="warn-{session.pk}">'
    ) in block
    assert (
        f'<span class="cal-tip" role="tooltip" id="warn-{session.pk}">'
        "Blood thinners since 1 Dec 2025: press lightly</span>"
    ) in block
    assert "applies to planned sessions" not in page  # the full text stays on the course page


def test_the_front_desk_sees_names_and_times_but_no_warning_record_or_course_link(
    client, therapist_a, clinic_a
):
    hours(therapist_a)
    desk = UserFactory(clinic=clinic_a, role=RECEPTION)
    patient = PatientFactory(clinic=clinic_a, first_name="Maria", last_name="Ivanova")
    session = book(therapist_a, patient=patient, warnings=[THINNERS])
    client.force_login(desk)

    response = monday(client)
    page = response.content.decode()
    block = block_html(page, session)

    assert response.status_code == 200
    assert "Ivanova Maria" in block and "10:00–10:30" in block
    assert "Blood thinners" not in page and "cal-warn" not in page
    assert "Record</a>" not in block
    assert reverse("protocols:course", args=[session.course_id]) not in page
    assert "Courses on hold" not in page and "Open warnings" not in page
    assert "Move</a>" in block  # the front desk moves any session


def test_the_sidebar_lists_the_days_no_shows_and_patients_cancellations(
    signed_in, therapist_a, clinic_a
):
    hours(therapist_a)
    book(
        therapist_a,
        patient=PatientFactory(clinic=clinic_a, last_name="Absentova"),
        status=Session.NO_SHOW,
    )
    book(
        therapist_a,
        at=11 * 60,
        status=Session.PATIENT_CANCELLED,
        patient=PatientFactory(clinic=clinic_a, last_name="Callova"),
    )
    book(therapist_a, at=12 * 60, patient=PatientFactory(clinic=clinic_a, last_name="Comova"))

    response = monday(signed_in)
    missed = [(b.patient_name.split()[0], b.status) for b in response.context["missed"]]

    assert missed == [("Absentova", "no_show"), ("Callova", "patient_cancelled")]
    page = response.content.decode()
    assert "did not attend" in page and "cancelled by the patient" in page


def test_the_open_warnings_are_one_short_line_each(signed_in, therapist_a, clinic_a):
    session = book(therapist_a, warnings=[THINNERS], day=MONDAY)
    session.course.status = "active"
    session.course.save()

    response = monday(signed_in)

    assert [c.warning_texts for c in response.context["warned"]] == [
        ["Blood thinners since 1 Dec 2025: press lightly"]
    ]


def test_the_current_time_is_a_line_on_today_only(signed_in, therapist_a, clinic_a):
    hours(therapist_a, start=0, end=24 * 60)  # the line falls within the hours at any time
    today = timezone.localdate()

    today_page = signed_in.get(DAY)
    tomorrow = signed_in.get(DAY, {"date": (today + timedelta(days=1)).isoformat()})

    assert today_page.context["day"] == today
    assert today_page.context["grid"].now is not None
    assert 'class="cal-now"' in today_page.content.decode()
    assert tomorrow.context["grid"].now is None
    assert 'class="cal-now"' not in tomorrow.content.decode()


def test_previous_and_next_day_links_and_the_date_picker(signed_in, therapist_a):
    hours(therapist_a)

    page = monday(signed_in).content.decode()

    assert 'href="/?date=2026-03-01" rel="prev"' in page
    assert 'href="/?date=2026-03-03" rel="next"' in page
    assert 'type="date" name="date" value="2026-03-02"' in page
    assert "Monday, 2 March 2026" in page


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "2026-3-2", "9999-99-99", "x" * 300])
def test_a_bad_date_falls_back_to_today(signed_in, therapist_a, bad):
    response = signed_in.get(DAY, {"date": bad})

    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_the_day_is_written_in_russian_for_a_russian_speaker(signed_in, therapist_a):
    therapist_a.language = "ru"
    therapist_a.save()
    hours(therapist_a)
    book(therapist_a)

    page = monday(signed_in).content.decode()

    assert "понедельник, 2 марта 2026" in page.lower()
    assert "сеанс 1 из 15" in page
    assert "2026-03-02</" not in page


def test_printing_gives_a_page_per_therapist(signed_in, therapist_a, colleagues):
    boris, _zoya = colleagues
    book(boris, patient=PatientFactory(clinic=boris.clinic, last_name="Printova"))

    page = monday(signed_in).content.decode()
    printed = page[page.index('<div class="cal-print"') :]

    assert printed.count('<section class="cal-print-page">') == 3
    assert "Boris Orlov · Monday, 2 March 2026" in printed
    assert "Printova" in printed


@pytest.mark.parametrize("bookings", [3, 30])
def test_the_day_grid_costs_the_same_queries_however_busy(
    signed_in, therapist_a, clinic_a, django_assert_num_queries, bookings
):
    hours(therapist_a, start=0, end=24 * 60)
    colleague = UserFactory(clinic=clinic_a)
    hours(colleague, start=0, end=24 * 60)
    room = give_rooms(clinic_a, "Room 1")[0]
    for n in range(bookings):
        book(
            therapist_a if n % 2 else colleague,
            at=8 * 60 + n * 30,
            room=room,
            warnings=[THINNERS] if n % 3 == 0 else (),
        )
    Absence.objects.create(therapist=colleague, start=MONDAY, end=MONDAY)

    # the session, the user with the clinic, permissions, the day's closed date, its sessions
    # (each with its course's count), the therapists' hours that weekday, their absences, the
    # running courses on hold or warned, the patients due (R5)
    with django_assert_num_queries(9):
        response = monday(signed_in)
    assert len(response.context["grid"].blocks) == bookings


def test_the_front_desks_day_reads_no_course(
    client, therapist_a, clinic_a, django_assert_num_queries
):
    hours(therapist_a)
    for n in range(3):
        book(therapist_a, at=9 * 60 + n * 30, warnings=[THINNERS])
    client.force_login(UserFactory(clinic=clinic_a, role=RECEPTION))

    # as above, without the running courses: the front desk reads no hold and no warning
    with django_assert_num_queries(8) as queries:
        monday(client)
    assert not any("warnings" in q["sql"] for q in queries.captured_queries)


def test_a_member_of_staff_without_a_role_is_refused(client, clinic_a):
    nobody = UserFactory(clinic=clinic_a)
    nobody.groups.clear()
    client.force_login(nobody)

    assert client.get(DAY).status_code == 403


def test_a_date_at_the_ends_of_the_calendar_falls_back_to_today(signed_in, therapist_a):
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        response = signed_in.get(DAY, {"date": day.isoformat()})
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate()
    assert signed_in.get(DAY, {"date": "1900-01-01"}).context["day"] == date(1900, 1, 1)


def test_a_session_without_a_time_is_listed_under_the_grid(signed_in, therapist_a, clinic_a):
    hours(therapist_a)
    untimed_colleague = UserFactory(clinic=clinic_a, first_name="Nina", last_name="Notime")
    session = book(untimed_colleague)
    Session.objects.filter(pk=session.pk).update(starts_at=None, ends_at=None)

    response = monday(signed_in)
    page = response.content.decode()

    assert [b.pk for b in response.context["grid"].untimed] == [session.pk]
    assert column_titles(page) == [therapist_a.get_full_name()]  # no empty column for Nina
    assert "Time to be agreed" in page and "Nina Notime" in page
