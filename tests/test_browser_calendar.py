"""The day's grid in a real browser (Playwright, Debian's Chromium): dragging a block onto a free
slot POSTs the session's move with the slot's date, time and therapist, the course's version and
the way back; a warning's text shows on keyboard focus. The move page itself is answered here by
the test (``page.route``): what it does with the request is its own tests' business.

Screenshots go to build/e2e/ (or $E2E_SCREENSHOTS), as in ``test_browser_flow``.
"""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from tests.calendar_grid import THINNERS, book, hours
from tests.factories import ClinicFactory, PatientFactory, UserFactory
from tests.test_browser_flow import PASSWORD, browser_page, shot  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_dragging_a_block_to_a_free_slot_posts_its_move(live_server, browser_page, default_library):  # noqa: F811
    from django.utils import timezone
    from playwright.sync_api import expect

    clinic = ClinicFactory(name="Riverside Massage", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    olga = UserFactory(username="olga", first_name="Olga", clinic=clinic, password=PASSWORD)
    pavel = UserFactory(first_name="Pavel", last_name="Zaitsev", clinic=clinic)
    hours(olga, start=9 * 60, end=18 * 60)
    hours(pavel, start=9 * 60, end=18 * 60)
    today = timezone.localdate()
    patient = PatientFactory(clinic=clinic, first_name="Vera", last_name="Kuznetsova")
    session = book(olga, day=today, at=10 * 60, patient=patient, warnings=[THINNERS])
    page = browser_page

    posted = []

    def answer_move(route):
        posted.append((route.request.url, parse_qs(route.request.post_data)))
        route.fulfill(status=200, content_type="text/html", body="<h1>Moved</h1>")

    move_url = reverse("protocols:session_move", args=[session.pk])
    page.route(f"**{move_url}", answer_move)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    block = page.locator(f"#session-{session.pk}")
    expect(block).to_contain_text("Kuznetsova Vera")

    # The warning's text shows on keyboard focus.
    block.get_by_role("button", name="Warnings").focus()
    expect(page.get_by_role("tooltip")).to_have_text(
        "Blood thinners since 1 Dec 2025: press lightly"
    )
    shot(page, "calendar-01-day")

    # Drag the 10:00 session into Pavel's column at 11:00.
    target = page.locator(
        f'[data-drop][data-therapist="{pavel.pk}"][data-time="11:00"][data-date="{today}"]'
    )
    block.drag_to(target)
    expect(page.get_by_role("heading", name="Moved")).to_be_visible()

    assert len(posted) == 1
    url, fields = posted[0]
    assert url.endswith(move_url)
    assert {
        name: values[0] for name, values in fields.items() if name != "csrfmiddlewaretoken"
    } == {
        "date": today.isoformat(),
        "time": "11:00",
        "therapist": str(pavel.pk),
        "version": str(session.course.version),
        "next": "/",
    }
    assert fields["csrfmiddlewaretoken"][0]
    refused = [m for m in page.console_errors if "Content Security Policy" in m]
    assert refused == []
