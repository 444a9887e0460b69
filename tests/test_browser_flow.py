"""The whole therapist flow in a real browser: Playwright driving the system's Chromium.

sign in → create a patient → add stage-2 knee arthrosis → record an exacerbation → the preview
refuses (R6) → end the exacerbation → plan the course → record session 1 with pain 4 → 2.

Screenshots of each step go to build/e2e/ (or $E2E_SCREENSHOTS) for a person to look at.
"""

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from protocols.models import Course, Session
from tests.factories import ClinicFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).parent.parent / "build" / "e2e"))

pytestmark = pytest.mark.browser


def find_chromium():
    """The browser to drive: $CHROMIUM, Debian's /usr/bin/chromium, else chromium or
    chromium-browser on PATH (Ubuntu's snap), by the same lookup as scripts/check-system.sh."""
    found = subprocess.run(
        [ROOT / "scripts" / "find-chromium.sh"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        pytest.fail(
            f"No Chromium found: sudo apt-get install chromium (or set CHROMIUM). {found.stderr}"
        )
    return found.stdout.strip()


@pytest.fixture
def browser_page():
    chromium = find_chromium()
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (set-up and checks) are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1024, "height": 800})
        page.set_default_timeout(10_000)
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        yield page
        browser.close()


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_therapist_plans_a_course_and_records_the_first_session(
    live_server, browser_page, default_library
):
    from playwright.sync_api import expect

    clinic = ClinicFactory(name="Riverside Massage", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    UserFactory(username="olga", first_name="Olga", clinic=clinic, password=PASSWORD)
    today = timezone.localdate()
    page = browser_page

    # Sign in.
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My day")).to_be_visible()
    shot(page, "01-day")

    # Create a patient.
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("First name").fill("Vera")
    page.get_by_label("Last name").fill("Kuznetsova")
    page.get_by_label("Phone").fill("+7 912 000 1122")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Patient Vera Kuznetsova added.")).to_be_visible()

    # Add stage-2 knee arthrosis.
    page.get_by_role("link", name="Add", exact=True).click()
    page.get_by_label("Condition").select_option("knee_arthrosis")
    page.get_by_label("Stage").select_option("2")
    page.get_by_label("Side").select_option("left")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Knee arthrosis (stage 2, left)")).to_be_visible()

    # Record an exacerbation that began five days ago and is still going on.
    page.locator("#exacerbations-title").locator("xpath=..").get_by_role("link").click()
    page.get_by_label("From").fill((today - timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("ongoing")).to_be_visible()
    shot(page, "02-patient-with-exacerbation")

    # The live preview refuses, naming R6.
    page.get_by_role("link", name="Plan a course").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("This course cannot be planned as asked.")
    expect(preview).to_contain_text("R6")
    expect(preview).to_contain_text("exacerbation of knee arthrosis")
    shot(page, "03-preview-refused")

    # End the exacerbation yesterday.
    page.get_by_role("link", name="Kuznetsova Vera").click()
    page.get_by_label("Ended on").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="End").click()
    expect(page.get_by_text("recorded as ended")).to_be_visible()

    # Plan the course: the preview now shows 15 dated sessions from 7 to 15 minutes.
    page.get_by_role("link", name="Plan a course").click()
    expect(preview.locator("#preview-sessions tbody tr")).to_have_count(15)
    page.get_by_label("How often").select_option("2")
    expect(preview).to_contain_text("15 sessions from")
    shot(page, "04-preview-plan")
    page.get_by_role("button", name="Save the course").click()
    expect(page.get_by_text("Course planned: 15 sessions")).to_be_visible()
    expect(page.locator("#sessions tbody tr")).to_have_count(15)
    shot(page, "05-course")

    # Record session 1: done, pain 4 before and 2 after.
    page.locator("#sessions tbody tr").first.get_by_role("link", name="Record").click()
    expect(page.get_by_role("button", name="Done")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Pain before (0–10)").fill("4")
    page.get_by_label("Pain after (0–10)").fill("2")
    shot(page, "06-record")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Session 1 of Vera Kuznetsova recorded as done.")).to_be_visible()
    expect(page.locator("#sessions tbody tr").first).to_contain_text("4 → 2")
    shot(page, "07-course-after-recording")

    course = Course.objects.get(patient__last_name="Kuznetsova")
    first = course.sessions.get(number=1)
    assert (course.status, course.cadence_days, course.sessions.count()) == ("active", 2, 15)
    assert (first.status, first.pain_before, first.pain_after) == (Session.DONE, 4, 2)
    assert first.actual_minutes == 7
    assert first.date == today
    # The pages ran under the Content-Security-Policy without anything being refused.
    refused = [m for m in page.console_errors if "Content Security Policy" in m]
    assert refused == []
