"""The reports page as a clinic admin uses it: who may open it, what it shows, its CSV files and
its fixed number of queries. The figures themselves are tested in test_reports_selectors.py."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from clinic.models import CLINIC_ADMIN
from protocols.models import Course, Session
from reports.selectors import MIN_COURSES
from tests.factories import (
    ConditionFactory,
    CourseFactory,
    PatientFactory,
    SessionFactory,
    UserFactory,
)
from tests.workspace import classic, today

pytestmark = pytest.mark.django_db

URL = reverse("reports:index")


def completed(clinic, scores, *, start=None, extra=()):
    """A completed classic course begun a month ago with a session done per (before, after)."""
    start = start or today() - timedelta(days=30)
    patient = PatientFactory(clinic=clinic)
    ConditionFactory(patient=patient)
    row = CourseFactory(patient=patient, start=start, sessions=0, status=Course.COMPLETED)
    for number, (before, after) in enumerate(scores, 1):
        SessionFactory(
            course=row,
            number=number,
            date=start + timedelta(days=number - 1),
            status=Session.DONE,
            actual_minutes=15,
            pain_before=before,
            pain_after=after,
        )
    for number, (status, reason) in enumerate(extra, len(scores) + 1):
        SessionFactory(
            course=row,
            number=number,
            date=start + timedelta(days=number),
            status=status,
            skip_reason=reason,
        )
    return row


@pytest.fixture
def five(clinic_a):
    """Five completed classic courses: 8→4, 6→5, 7→5, 5→6, 9→6 (as in the selectors' test)."""
    for before, after in [(8, 4), (6, 5), (7, 5), (5, 6), (9, 6)]:
        completed(clinic_a, [(before, before), (after + 1, after)])


def cells(client, table, params=None):
    """The rows of one table of the page, as text (its CSV, with the page's filters)."""
    url = reverse("reports:csv", args=[table])
    return list(csv.reader(io.StringIO(client.get(url, params).content.decode())))


def test_only_clinic_admins_open_the_reports(client, therapist_a, reception_a, admin_a):
    assert client.get(URL)["Location"].startswith(reverse("login"))
    csv_url = reverse("reports:csv", args=["outcomes"])
    assert client.get(csv_url)["Location"].startswith(reverse("login"))
    for member in (therapist_a, reception_a):
        client.force_login(member)
        assert client.get(URL).status_code == 403
        assert client.get(csv_url).status_code == 403
        assert reverse("reports:index") not in client.get(reverse("home")).content.decode()
    client.force_login(admin_a)
    assert client.get(URL).status_code == 200
    assert client.get(csv_url).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:index")}"' in home  # in the navigation


def test_a_superuser_without_a_clinic_is_told_so(client):
    client.force_login(UserFactory(clinic=None, is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 403


def test_the_outcomes_show_the_means_and_too_few_below_the_minimum(client, admin_a, five):
    client.force_login(admin_a)
    response = client.get(URL)
    page = response.content.decode()
    assert f"from {MIN_COURSES} courses with both scores recorded" in page  # the stated minimum
    name = classic(admin_a.clinic).name
    assert cells(client, "outcomes")[1] == [name, "5", "5", "7.0", "5.2", "-1.8", "3", "60.0%"]
    assert "7.0" in page and "5.2" in page and "60.0\u00a0%" in page
    assert "<svg" in page and "Mean pain (0–10) before the first session" in page
    # One course fewer than the minimum: the counts stay, the figures give way to the words.
    Course.objects.filter(pk=Course.objects.order_by("pk").first().pk).update(status="cancelled")
    response = client.get(URL)
    assert cells(client, "outcomes")[1][:4] == [name, "4", "4", "too few courses to say"]
    assert "too few courses to say" in response.content.decode()


def test_another_clinics_courses_are_not_counted(client, admin_a, clinic_b, five):
    other_admin = UserFactory(clinic=clinic_b, role=CLINIC_ADMIN)
    client.force_login(other_admin)
    assert "Knee arthrosis" not in client.get(URL).content.decode().split("</form>")[1]
    assert len(cells(client, "outcomes")) == 1  # the header only
    sessions = dict(cells(client, "sessions")[1:])
    assert sessions["done"] == "0"


def test_the_filters_narrow_the_page_and_are_named_in_its_heading(client, admin_a, five):
    client.force_login(admin_a)
    response = client.get(URL, {"condition": "sciatica"})
    assert "Condition: Sciatica" in response.content.decode()
    assert len(cells(client, "outcomes", {"condition": "sciatica"})) == 1
    assert len(cells(client, "outcomes", {"condition": "knee_arthrosis:2"})) == 2
    first = today() - timedelta(days=40)
    response = client.get(URL, {"start": first.isoformat(), "end": today().isoformat()})
    page = response.content.decode()
    assert date_format(first, "DATE_FORMAT") in page  # dates as the pages write them
    assert first.isoformat() not in page.split("<form")[0]


def test_a_period_that_ends_before_it_starts_is_refused(client, admin_a):
    client.force_login(admin_a)
    response = client.get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()
    assert "Outcomes per template" not in response.content.decode()
    url = reverse("reports:csv", args=["outcomes"])
    assert client.get(url, {"start": "2026-05-01", "end": "2026-04-01"}).status_code == 404
    assert client.get(reverse("reports:csv", args=["nonsense"])).status_code == 404


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, admin_a, clinic_a):
    classic(clinic_a).__class__.objects.filter(pk=classic(clinic_a).pk).update(
        name='=HYPERLINK("http://evil.example","x")'
    )
    reasons = ["@SUM(A1)", "+1+1", "-2+3", "\tTab", "plain"]
    completed(clinic_a, [(6, 4)], extra=[(Session.SKIPPED, reason) for reason in reasons])
    client.force_login(admin_a)
    response = client.get(reverse("reports:csv", args=["skip-reasons"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    written = sorted(row[0] for row in rows[1:])
    assert written == sorted(["'@SUM(A1)", "'+1+1", "'-2+3", "Tab", "plain"])
    outcomes = cells(client, "outcomes")
    assert outcomes[1][0] == '\'=HYPERLINK("http://evil.example","x")'


def test_every_table_downloads(client, admin_a, five):
    client.force_login(admin_a)
    page = client.get(URL).content.decode()
    for table in [
        "outcomes",
        "sessions",
        "skip-reasons",
        "courses",
        "twice-a-year",
        "therapists",
        "rooms",
    ]:
        url = reverse("reports:csv", args=[table])
        assert url in page, table
        assert client.get(url).status_code == 200, table


def test_the_page_makes_the_same_few_queries_whatever_the_history(
    client, admin_a, five, count_queries
):
    client.force_login(admin_a)
    # session, user, permissions; templates, staff (the form's, reused by the hours); the
    # courses (outcomes, counts by status and R5's due courses), sessions by status, skipped ones
    # by reason, today's due patients; working hours, absences, closed days, rooms, bookings.
    assert count_queries(client, URL) == 14
    for _ in range(3):
        completed(admin_a.clinic, [(5, 3), (3, 2)], extra=[(Session.SKIPPED, "tired")])
    assert count_queries(client, URL) == 14
    # A filter costs no query of its own.
    assert count_queries(client, URL, {"template": classic(admin_a.clinic).pk}) == 14


def test_the_page_speaks_russian(client, admin_a, five):
    admin_a.language = "ru"
    admin_a.save()
    client.force_login(admin_a)
    page = client.get(URL).content.decode()
    assert "Отчёты" in page
    assert "Результаты по шаблонам" in page


def test_the_chart_prints_the_tables_numbers(client, admin_a, clinic_a):
    # Means of 55/8 = 6.875 and 30/8 = 3.75: the bars read 6.9 and 3.8, as the table does.
    for before, after in zip([8, 6, 7, 5, 9, 7, 7, 6], [4, 5, 5, 6, 6, 3, 0, 1], strict=True):
        completed(clinic_a, [(before, before), (after, after)])
    client.force_login(admin_a)
    page = client.get(URL).content.decode()
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert ">6.9<" in chart and ">3.8<" in chart
    assert ">6.8<" not in chart and ">3.7<" not in chart
    assert cells(client, "outcomes")[1][3:5] == ["6.9", "3.8"]
