"""With the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys, and digits for pain):
a therapist plans a course and records one session done and one skipped, and wherever focus
goes it can be seen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from protocols.models import Course, Session
from tests.factories import ClinicFactory, ConditionFactory, PatientFactory, UserFactory
from tests.test_browser_axe import sign_in
from tests.test_browser_flow import browser_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {
    name: (e.getAttribute("aria-label") || e.innerText || e.value || e.name || "").trim(),
    tag: e.tagName.toLowerCase(),
    pressed: e.getAttribute("aria-pressed"),
    // Chromium's date field takes one more Tab stop, its calendar button, inside the field
    // (the field itself is then not :focus): the browser draws that button's own ring.
    ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2)
      || (e.type === "date" && !e.matches(":focus")),
  };
}"""


def tab_to(page, name, *, key="Tab", limit=60):
    """Press Tab (or Shift+Tab) until the focused element is called ``name``, checking that
    every element focus lands on shows a focus ring."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["ring"], f"no visible focus on {focused} after {seen}"
        seen.append(focused["name"][:30])
        if focused["name"].startswith(name):
            return focused
    raise AssertionError(f"{name!r} not reached by {key}: {seen}")


@pytest.mark.django_db(transaction=True)
def test_a_course_is_planned_and_two_sessions_recorded_with_the_keyboard_alone(
    live_server,
    browser_page,  # noqa: F811
    default_library,
):
    clinic = ClinicFactory(name="Riverside Massage", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    UserFactory(username="olga", first_name="Olga", last_name="Smirnova", clinic=clinic)
    patient = PatientFactory(clinic=clinic, first_name="Vera", last_name="Kuznetsova")
    ConditionFactory(patient=patient, stage=2, side="left")
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "olga")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")

    # Plan: the preview loads, Save is reached by Tab and pressed with Enter.
    tab_to(page, "Plan a course")
    page.keyboard.press("Enter")
    page.locator("#preview-sessions").wait_for()
    tab_to(page, "Save the course")
    page.keyboard.press("Enter")
    page.get_by_text("Course planned: 15 sessions").wait_for()
    course = Course.objects.get(patient=patient)

    # Session 1, done: the form opens with focus on the chosen outcome, "Done".
    tab_to(page, "Record")
    page.keyboard.press("Enter")
    page.wait_for_url("**/record/**")
    focused = page.evaluate(FOCUSED)
    assert (focused["name"], focused["pressed"], focused["ring"]) == ("Done", "true", True)
    tab_to(page, "Skipped")  # every outcome is a stop of Tab
    tab_to(page, "Did not attend")
    tab_to(page, "Done", key="Shift+Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the other outcomes to pain before
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    page.get_by_text("Session 1 of Vera Kuznetsova recorded as done.").wait_for()

    # Session 2, skipped: Space on "Skipped", the reason chosen with the arrow keys.
    tab_to(page, "Record")
    page.keyboard.press("Enter")
    page.wait_for_url("**/record/**")
    tab_to(page, "Skipped")
    page.keyboard.press("Space")
    assert page.evaluate(FOCUSED)["pressed"] == "true"
    assert page.get_by_label("Minutes done").is_hidden()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past "Did not attend" to pain before
    page.keyboard.type("3")
    page.keyboard.press("Tab")  # the reason for skipping
    assert page.evaluate(FOCUSED)["tag"] == "select"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    page.get_by_text("Session 2 of Vera Kuznetsova recorded as skipped.").wait_for()

    first, second = course.sessions.filter(number__in=(1, 2)).order_by("number")
    assert (first.status, first.pain_before, first.pain_after) == (Session.DONE, 4, 2)
    assert (second.status, second.pain_before) == (Session.SKIPPED, 3)
    assert second.skip_reason  # the reason chosen with the arrow keys
    assert first.date <= timezone.localdate() + timedelta(days=1)
