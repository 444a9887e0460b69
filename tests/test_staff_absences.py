"""A therapist's own page: their weekly hours, and the absences they record, change and delete."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from clinic.models import CLINIC_ADMIN, Absence, WorkingHours
from tests.factories import UserFactory

LIST = reverse("staff:absences")


def absence(therapist, start, end, reason=Absence.LEAVE, note=""):
    return Absence.objects.create(
        therapist=therapist, start=start, end=end, reason=reason, note=note
    )


def own_rows(user):
    return list(
        Absence.objects.filter(therapist=user)
        .order_by("start")
        .values_list("start", "end", "reason", "note")
    )


def edit_url(row):
    return reverse("staff:absence_edit", args=[row.pk])


def delete_url(row):
    return reverse("staff:absence_delete", args=[row.pk])


def texts(response):
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def leave(therapist_a):
    return absence(therapist_a, date(2026, 12, 21), date(2027, 1, 3), note="Family trip")


@pytest.fixture
def hours(therapist_a):
    WorkingHours.objects.create(therapist=therapist_a, weekday=0, start=540, end=780)
    WorkingHours.objects.create(therapist=therapist_a, weekday=0, start=840, end=1080)
    WorkingHours.objects.create(therapist=therapist_a, weekday=2, start=720, end=1200)


def good(**changes):
    return {"start": "2027-03-01", "end": "2027-03-05", "reason": "training", **changes}


# --- Who may open what ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client, leave):
    for url in (LIST, edit_url(leave)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    for url in (LIST, edit_url(leave), delete_url(leave)):
        response = client.post(url, good())
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert Absence.objects.count() == 1


@pytest.mark.django_db
def test_another_clinics_absence_is_not_found(client, leave, therapist_b):
    client.force_login(therapist_b)

    assert client.get(edit_url(leave)).status_code == 404
    assert client.post(edit_url(leave), good()).status_code == 404
    assert client.post(delete_url(leave)).status_code == 404
    assert Absence.objects.get().end == date(2027, 1, 3)


@pytest.mark.django_db
def test_a_colleagues_absence_is_not_found_even_by_a_clinic_admin(client, leave, admin_a):
    # Admins edit colleagues' absences on the staff page of the admin; this page is one's own.
    client.force_login(admin_a)

    assert client.get(edit_url(leave)).status_code == 404
    assert client.post(edit_url(leave), good()).status_code == 404
    assert client.post(delete_url(leave)).status_code == 404
    assert "Family trip" not in client.get(LIST).content.decode()
    assert Absence.objects.get().end == date(2027, 1, 3)


@pytest.mark.django_db
def test_a_member_of_staff_without_the_permissions_is_refused(client, clinic_a):
    nobody = UserFactory(clinic=clinic_a)
    nobody.groups.clear()
    own = absence(nobody, date(2027, 2, 1), date(2027, 2, 2))
    client.force_login(nobody)

    assert client.get(LIST).status_code == 403
    assert client.post(LIST, good()).status_code == 403
    assert client.get(edit_url(own)).status_code == 403
    assert client.post(edit_url(own), good()).status_code == 403
    assert client.post(delete_url(own)).status_code == 403
    assert own_rows(nobody) == [(date(2027, 2, 1), date(2027, 2, 2), "leave", "")]
    assert "My hours and leave" not in client.get(reverse("password_change")).content.decode()


@pytest.mark.django_db
def test_a_reader_without_the_right_to_add_sees_the_page_but_cannot_add(client, clinic_a):
    from django.contrib.auth.models import Permission

    reader = UserFactory(clinic=clinic_a)
    reader.groups.clear()
    reader.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="clinic", codename__in=["view_absence", "view_workinghours"]
        )
        # the page is for staff who give sessions (record them): the front desk has none
        | Permission.objects.filter(content_type__app_label="protocols", codename="change_session")
    )
    client.force_login(reader)

    page = client.get(LIST)
    assert page.status_code == 200
    assert "Add the absence" not in page.content.decode()
    assert client.post(LIST, good()).status_code == 403
    assert own_rows(reader) == []


@pytest.mark.django_db
def test_a_therapist_opens_their_page_and_their_absence(client, therapist_a, leave):
    client.force_login(therapist_a)

    assert client.get(LIST).status_code == 200
    assert client.get(edit_url(leave)).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert f'href="{LIST}">My hours and leave</a>' in home


@pytest.mark.django_db
def test_a_clinic_admin_keeps_their_own_absences_here_too(client, admin_a):
    assert admin_a.groups.filter(name=CLINIC_ADMIN).exists()
    client.force_login(admin_a)

    response = client.post(LIST, good())

    assert response.status_code == 302
    assert own_rows(admin_a) == [(date(2027, 3, 1), date(2027, 3, 5), "training", "")]


@pytest.mark.django_db
def test_deleting_is_refused_by_get(client, therapist_a, leave):
    client.force_login(therapist_a)

    assert client.get(delete_url(leave)).status_code == 405
    assert Absence.objects.filter(pk=leave.pk).exists()


# --- What the page shows ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_weekly_hours_and_the_days_off(client, therapist_a, hours):
    client.force_login(therapist_a)

    html = client.get(LIST).content.decode()

    monday = html.index(">Monday</th>")
    tuesday = html.index(">Tuesday</th>")
    wednesday = html.index(">Wednesday</th>")
    assert "09:00–13:00" in html[monday:tuesday]
    assert "14:00–18:00" in html[monday:tuesday]
    assert "not working" in html[tuesday:wednesday]
    assert "12:00–20:00" in html[wednesday : html.index(">Thursday</th>")]
    assert html.count("not working") == 5  # Tuesday, Thursday to Sunday


@pytest.mark.django_db
def test_the_page_shows_dates_as_people_write_them_and_only_ones_own(
    client, therapist_a, admin_a, leave
):
    absence(admin_a, date(2027, 5, 1), date(2027, 5, 2), note="Admin's own")
    client.force_login(therapist_a)

    html = client.get(LIST).content.decode()

    assert "21 Dec 2026" in html
    assert "3 Jan 2027" in html
    assert "Family trip" in html
    assert "2026-12-21" not in html
    assert "Admin's own" not in html
    assert f'href="{edit_url(leave)}"' in html


@pytest.mark.django_db
def test_the_page_speaks_russian(client, therapist_a, leave):
    therapist_a.language = "ru"
    therapist_a.save()
    client.force_login(therapist_a)

    html = client.get(LIST).content.decode()

    assert "Мои часы и отпуска" in html
    assert "Добавить отсутствие" in html
    assert "21 декабря 2026" in html
    assert "выходной" in html


@pytest.mark.django_db
def test_the_list_page_costs_the_same_queries_for_1_and_10_absences(
    client, therapist_a, hours, django_assert_num_queries
):
    client.force_login(therapist_a)
    counts = []
    for total in (1, 10):
        Absence.objects.filter(therapist=therapist_a).delete()
        for i in range(total):
            absence(therapist_a, date(2027, 1 + i, 1), date(2027, 1 + i, 5))
        # the session; the user with their clinic (clinic.backends); the user's permissions, their
        # own and their groups' in one query; the working hours; the absences.
        with django_assert_num_queries(5):
            response = client.get(LIST)
        counts.append(response.content.decode().count("/edit/"))
    assert counts == [1, 10]


# --- Adding, changing, deleting ------------------------------------------------------------


@pytest.mark.django_db
def test_adding_an_absence_saves_it_and_lists_it(client, therapist_a):
    client.force_login(therapist_a)

    response = client.post(LIST, good(note="  Course in manual therapy "), follow=True)

    assert own_rows(therapist_a) == [
        (date(2027, 3, 1), date(2027, 3, 5), "training", "Course in manual therapy")
    ]
    html = response.content.decode()
    assert "Absence recorded: training, 1 Mar 2027 – 5 Mar 2027." in html
    assert "Course in manual therapy" in html


@pytest.mark.django_db
def test_a_single_day_is_an_absence_too(client, therapist_a):
    client.force_login(therapist_a)

    client.post(LIST, good(start="2027-03-01", end="2027-03-01", reason="sickness"))

    assert own_rows(therapist_a) == [(date(2027, 3, 1), date(2027, 3, 1), "sickness", "")]


@pytest.mark.django_db
def test_editing_an_absence_changes_it(client, therapist_a, leave):
    client.force_login(therapist_a)
    page = client.get(edit_url(leave)).content.decode()
    assert 'value="2026-12-21"' in page  # the date input's own format; shown as text elsewhere

    response = client.post(
        edit_url(leave), good(start="2026-12-22", end="2027-01-02", reason="leave"), follow=True
    )

    assert own_rows(therapist_a) == [(date(2026, 12, 22), date(2027, 1, 2), "leave", "")]
    assert "Absence saved: leave, 22 Dec 2026 – 2 Jan 2027." in response.content.decode()


@pytest.mark.django_db
def test_an_absence_may_be_moved_over_its_own_days(client, therapist_a, leave):
    client.force_login(therapist_a)

    client.post(edit_url(leave), good(start="2026-12-20", end="2027-01-03", reason="leave"))

    assert own_rows(therapist_a)[0][:2] == (date(2026, 12, 20), date(2027, 1, 3))


@pytest.mark.django_db
def test_deleting_an_absence_removes_it(client, therapist_a, leave):
    client.force_login(therapist_a)

    response = client.post(delete_url(leave), follow=True)

    assert own_rows(therapist_a) == []
    html = response.content.decode()
    assert "Absence deleted: leave, 21 Dec 2026 – 3 Jan 2027." in html
    assert "No absence recorded." in html


# --- Refusals: each says why and saves nothing ---------------------------------------------

REFUSED = [
    (good(end="2027-02-28"), "The last day cannot be before the first day."),
    (good(start="1899-12-31"), "Enter a date from 1900 to 2199."),
    (good(end="2200-01-01"), "Enter a date from 1900 to 2199."),
    (good(start="2027-01-02", end="2027-01-10"), "These days overlap another absence (leave, "),
    (good(start="2026-12-01", end="2026-12-21"), "These days overlap another absence (leave, "),
    (good(start="2026-12-01", end="2027-12-01"), "These days overlap another absence (leave, "),
    (good(start="2027-02-30"), "Enter a valid date."),
    (good(reason="holiday"), "Select a valid choice."),
    (good(note="x" * 201), "Ensure this value has at most 200 characters"),
    ({}, "This field is required."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_adding_a_bad_absence_says_why_and_saves_nothing(client, therapist_a, leave, data, message):
    client.force_login(therapist_a)
    before = own_rows(therapist_a)

    response = client.post(LIST, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert own_rows(therapist_a) == before
    assert Absence.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "message"), REFUSED)
def test_editing_into_a_bad_absence_says_why_and_changes_nothing(
    client, therapist_a, leave, data, message
):
    other = absence(therapist_a, date(2027, 3, 10), date(2027, 3, 12), Absence.SICKNESS)
    client.force_login(therapist_a)
    before = own_rows(therapist_a)
    response = client.post(edit_url(other), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert own_rows(therapist_a) == before


@pytest.mark.django_db
def test_the_overlap_message_names_the_other_absence_as_people_write_dates(
    client, therapist_a, leave
):
    client.force_login(therapist_a)

    response = client.post(LIST, good(start="2027-01-02", end="2027-01-10"))

    assert (
        "These days overlap another absence (leave, 21 Dec 2026 – 3 Jan 2027): "
        "change that one or choose other days."
    ) in response.content.decode()


@pytest.mark.django_db
def test_a_colleagues_absence_on_the_same_days_is_no_overlap(client, therapist_a, admin_a, leave):
    client.force_login(admin_a)

    client.post(LIST, good(start="2026-12-21", end="2027-01-03", reason="leave"))

    assert own_rows(admin_a) == [(date(2026, 12, 21), date(2027, 1, 3), "leave", "")]


@pytest.mark.django_db
def test_the_day_after_an_absence_may_start_another(client, therapist_a, leave):
    client.force_login(therapist_a)

    client.post(LIST, good(start="2027-01-04", end="2027-01-05", reason="sickness"))

    assert len(own_rows(therapist_a)) == 2


@pytest.mark.django_db
def test_a_role_group_grants_what_the_page_asks(therapist_a):
    therapist = Group.objects.get(name="Therapist")
    codenames = set(therapist.permissions.values_list("codename", flat=True))
    assert {"view_absence", "view_workinghours", "add_absence", "change_absence"} <= codenames
    assert "delete_absence" in codenames
