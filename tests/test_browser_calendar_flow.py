"""The front desk's and the therapist's day in a real browser (Playwright, Debian's Chromium),
against the real views: open the day, drag a session onto a free slot, try a slot that breaks the
every-other-day spacing and see the refusal with its rule, record an absence over two sessions and
give them to a colleague, record a no-show and see the course grow by one session.

Screenshots (1280 and 768 px, English and Russian) go to build/e2e/, as in ``test_browser_flow``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from planner.schedule import parse_time
from protocols import booking
from protocols.models import Session
from protocols.services import create_course
from tests.calendar_grid import hours
from tests.factories import ClinicFactory, ConditionFactory, PatientFactory, UserFactory
from tests.test_browser_flow import PASSWORD, browser_page, shot  # noqa: F401 (a fixture)
from tests.workspace import classic

pytestmark = pytest.mark.browser


def local(session):
    return booking.local_minutes(session.course.patient.clinic, session.starts_at)


@pytest.mark.django_db(transaction=True)
def test_a_day_at_the_clinic_moves_covers_and_records(live_server, browser_page, default_library):  # noqa: F811
    from playwright.sync_api import expect

    clinic = ClinicFactory(name="Riverside Massage", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    olga = UserFactory(
        username="olga", first_name="Olga", last_name="Smirnova", clinic=clinic, password=PASSWORD
    )
    pavel = UserFactory(first_name="Pavel", last_name="Zaitsev", clinic=clinic)
    hours(olga, start=9 * 60, end=18 * 60)
    hours(pavel, start=9 * 60, end=18 * 60)
    today = timezone.localdate()
    patient = PatientFactory(clinic=clinic, first_name="Vera", last_name="Kuznetsova")
    ConditionFactory(patient=patient, stage=2, side="left")
    # Every other day from yesterday at 10:00: #1 yesterday, #2 tomorrow, #3 and #4 after that.
    course = create_course(
        patient=patient,
        template=classic(clinic),
        start=today - timedelta(days=1),
        sessions=15,
        cadence_days=2,
        therapist=olga,
        preferred_time=parse_time("10:00"),
    )
    second = course.sessions.get(number=2)
    page = browser_page
    # Tall enough for the whole day: headless Chromium drops a drag below the fold.
    page.set_viewport_size({"width": 1280, "height": 2000})

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The day of session 2, and a drag of it to 15:00 in the same column: a free slot.
    page.goto(f"{live_server.url}/?date={second.date.isoformat()}")
    block = page.locator(f"#session-{second.pk}")
    expect(block).to_contain_text("Kuznetsova Vera")
    shot(page, "calendar-flow-01-day-1280-en")
    target = page.locator(
        f'[data-drop][data-therapist="{olga.pk}"][data-time="15:00"]'
        f'[data-date="{second.date.isoformat()}"]'
    )
    block.drag_to(target)
    expect(page.get_by_text("Session 2 of Vera Kuznetsova is now on")).to_be_visible()
    second.refresh_from_db()
    assert local(second) == (second.date, parse_time("15:00"))
    shot(page, "calendar-flow-02-moved")

    # A slot the day after session 2 (or the day before, if that one is in another week): in an
    # every-other-day course it leaves no free day to a neighbour, and the refusal names R18.
    page.goto(f"{live_server.url}/calendar/week/?date={second.date.isoformat()}")
    wrong_day = second.date + timedelta(days=1)
    if wrong_day.weekday() == 0:  # Monday: the next week
        wrong_day = second.date - timedelta(days=1)
    before = list(course.sessions.values_list("number", "date", "starts_at", "therapist_id"))
    block = page.locator(f"#session-{second.pk}")
    target = page.locator(f'[data-drop][data-date="{wrong_day.isoformat()}"][data-time="15:00"]')
    block.drag_to(target)
    refusal = page.locator("#move-refused")
    expect(refusal).to_contain_text("R18")
    expect(refusal).to_contain_text("free day")
    expect(
        page.get_by_role("heading", name="Nearest times that keep the course's rules")
    ).to_be_visible()
    assert (
        list(course.sessions.values_list("number", "date", "starts_at", "therapist_id")) == before
    )
    shot(page, "calendar-flow-03-refused")

    # An absence over sessions 3 and 4, both given to Pavel.
    third, fourth = course.sessions.get(number=3), course.sessions.get(number=4)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Record an absence").click()
    page.get_by_label("First day").fill(third.date.isoformat())
    page.get_by_label("Last day").fill(fourth.date.isoformat())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("2 booked sessions fall on these days")).to_be_visible()
    shot(page, "calendar-flow-04-absence")
    page.get_by_label("Give every one to Pavel Zaitsev").check()
    page.get_by_role("button", name="Record the absence and apply these answers").click()
    expect(page.get_by_text("Absence recorded for Olga Smirnova")).to_be_visible()
    assert set(course.sessions.filter(number__in=[3, 4]).values_list("therapist", flat=True)) == {
        pavel.pk
    }

    # Yesterday's session 1: the patient did not come; the course grows by one session.
    first = course.sessions.get(number=1)
    page.goto(f"{live_server.url}/?date={first.date.isoformat()}")
    page.locator(f"#session-{first.pk}").get_by_role("link", name="No-show / cancelled").click()
    page.get_by_label("The patient did not come").check()
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("The course adds one session at its end.")).to_be_visible()
    assert course.sessions.get(number=1).status == Session.NO_SHOW
    assert course.sessions.count() == 16

    # Look at it at 768 px, and in Russian.
    page.goto(f"{live_server.url}/?date={third.date.isoformat()}")
    shot(page, "calendar-flow-05-day-1280-en")
    page.set_viewport_size({"width": 768, "height": 900})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    shot(page, "calendar-flow-06-day-768-en")
    olga.language = "ru"
    olga.save(update_fields=["language"])
    page.reload()
    expect(page.get_by_role("heading", name="Мой день")).to_be_visible()
    shot(page, "calendar-flow-07-day-768-ru")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/sessions/{fourth.pk}/move/")
    shot(page, "calendar-flow-08-move-1280-ru")
    assert [m for m in page.console_errors if "Content Security Policy" in m] == []
