"""The calendar's pages (and the clinic admin's reports) pass axe-core (WCAG 2.2 A/AA rules) in
Debian's Chromium: no serious or critical violation, in English and Russian, at 1280 and 768 px,
as a therapist, a clinic admin and the front desk.

axe-core is vendored for the tests only (tests/vendor/).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from clinic.models import RECEPTION
from planner.schedule import parse_time
from protocols.services import create_course
from tests.calendar_grid import hours
from tests.factories import (
    ClinicFactory,
    ConditionFactory,
    PatientContraindicationFactory,
    PatientFactory,
    UserFactory,
)
from tests.test_browser_flow import PASSWORD, browser_page  # noqa: F401 (a fixture)
from tests.workspace import classic

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RULES = {"runOnly": {"type": "tag", "values": TAGS}}
# How far a page scrolls sideways (0: it fits the window).
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def report(found: dict) -> str:
    return "\n".join(f"{where}: {what}" for where, what in found.items())


def violations(page) -> list:
    page.evaluate(AXE)
    result = page.evaluate("rules => axe.run(document, rules)", RULES)
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_calendars_pages_have_no_serious_accessibility_violation(
    live_server,
    browser_page,  # noqa: F811
    default_library,
):
    clinic = ClinicFactory(name="Riverside Massage", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    olga = UserFactory(username="olga", first_name="Olga", last_name="Smirnova", clinic=clinic)
    UserFactory(username="desk", clinic=clinic, role=RECEPTION)
    UserFactory(username="boss", clinic=clinic, role="Clinic admin")
    pavel = UserFactory(first_name="Pavel", last_name="Zaitsev", clinic=clinic)
    hours(olga, start=9 * 60, end=18 * 60)
    hours(pavel, start=9 * 60, end=18 * 60)
    today = timezone.localdate()
    patient = PatientFactory(clinic=clinic, first_name="Vera", last_name="Kuznetsova")
    ConditionFactory(patient=patient, stage=2, side="left")
    PatientContraindicationFactory(  # blood thinners: a warning on the blocks (R10)
        patient=patient,
        kind=clinic.contraindication_kinds.get(code="anticoagulants"),
        start=today - timedelta(days=30),
        end=None,
    )
    course = create_course(
        patient=patient,
        template=classic(clinic),
        start=today,
        sessions=15,
        cadence_days=2,
        therapist=olga,
        preferred_time=parse_time("10:00"),
    )
    session = course.sessions.get(number=2)
    day = session.date.isoformat()
    pages = [
        f"/?date={day}",
        f"/calendar/week/?date={day}",
        f"/calendar/rooms/?date={day}",
        f"/sessions/{session.pk}/move/",
        f"/sessions/{session.pk}/attendance/",
        f"/calendar/absences/new/?therapist={olga.pk}&start={day}&end={day}&reason=leave",
    ]
    page = browser_page
    found = {}
    for username, extra in (
        ("olga", []),
        ("desk", []),
        ("boss", ["/calendar/closures/new/", "/reports/"]),
    ):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/**")
        for language in ("en", "ru"):
            type(olga).objects.filter(username=username).update(language=language)
            for width in (1280, 768):
                page.set_viewport_size({"width": width, "height": 900})
                for url in pages + extra:
                    page.goto(live_server.url + url)
                    if bad := violations(page):
                        found[(username, language, width, url)] = bad
                    if (scroll := page.evaluate(SIDEWAYS)) > 0:
                        found[(username, language, width, url, "scroll")] = scroll
    assert found == {}, report(found)


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/**")


@pytest.mark.django_db(transaction=True)
def test_every_page_of_the_therapist_and_the_admin_has_no_serious_accessibility_violation(
    live_server,
    browser_page,  # noqa: F811
    default_library,
):
    """Every workspace page, the admin's pages among them, in both languages at 1280 and 768 px;
    a form is also checked after a refused submit (its error messages are part of the page)."""
    from patients.models import Exacerbation

    clinic = ClinicFactory(name="Riverside Massage", working_weekdays=[0, 1, 2, 3, 4, 5, 6])
    olga = UserFactory(username="olga", first_name="Olga", last_name="Smirnova", clinic=clinic)
    boss = UserFactory(username="boss", clinic=clinic, role="Clinic admin")
    hours(olga, start=9 * 60, end=18 * 60)
    today = timezone.localdate()
    patient = PatientFactory(clinic=clinic, first_name="Vera", last_name="Kuznetsova")
    condition = ConditionFactory(patient=patient, stage=2, side="left")
    warning = PatientContraindicationFactory(
        patient=patient,
        kind=clinic.contraindication_kinds.get(code="anticoagulants"),
        start=today - timedelta(days=30),
        end=None,
    )
    flare = Exacerbation.objects.create(
        patient=patient,
        condition=condition,
        start=today - timedelta(days=90),
        end=today - timedelta(days=60),
    )
    course = create_course(
        patient=patient,
        template=classic(clinic),
        start=today,
        sessions=15,
        cadence_days=2,
        therapist=olga,
        preferred_time=parse_time("10:00"),
    )
    session = course.sessions.get(number=1)
    kind = clinic.contraindication_kinds.get(code="anticoagulants")
    template = classic(clinic)
    # Messages: the patient agreed to email (the course page offers the handout by email), the
    # outbox has a failed reminder, and the reminder's link page (no sign-in needed) is a page too.
    from messaging import services as messaging
    from messaging.models import Message, PatientLink

    type(patient).objects.filter(pk=patient.pk).update(
        email="vera@example.org", contact_preference="email", contact_consent_on=today
    )
    link = messaging.link_url(messaging.new_link(session, PatientLink.CONFIRM))
    Message.objects.create(
        clinic=clinic,
        patient=patient,
        session=session,
        kind=Message.REMINDER,
        channel=Message.EMAIL,
        to="vera@example.org",
        language="en",
        body="…",
        status=Message.FAILED,
        error="No mail server is set up (EMAIL_URL), so nothing was sent.",
    )
    pages = [
        "/" + link.split("/", 3)[3],
        "/",
        "/patients/",
        "/patients/new/",
        f"/patients/{patient.pk}/",
        f"/patients/{patient.pk}/edit/",
        f"/patients/{patient.pk}/conditions/new/",
        f"/patients/{patient.pk}/conditions/{condition.pk}/",
        f"/patients/{patient.pk}/exacerbations/new/",
        f"/patients/{patient.pk}/exacerbations/{flare.pk}/",
        f"/patients/{patient.pk}/contraindications/new/",
        f"/patients/{patient.pk}/contraindications/{warning.pk}/",
        f"/patients/{patient.pk}/courses/new/",
        f"/courses/{course.pk}/",
        f"/sessions/{session.pk}/record/",
        "/me/absences/",
        "/accounts/password_change/",
    ]
    admin_pages = [
        f"/audit/patients/{patient.pk}/",
        "/outbox/",
        "/admin/",
        "/admin/patients/contraindicationkind/",
        f"/admin/patients/contraindicationkind/{kind.pk}/change/",
        "/admin/protocols/protocoltemplate/",
        f"/admin/protocols/protocoltemplate/{template.pk}/change/",
        f"/admin/protocols/protocoltemplate/{template.pk}/preview/",
        f"/admin/protocols/protocoltemplate/{template.pk}/versions/1/",
        "/admin/protocols/protocoltemplate/import/",
        "/admin/patients/patient/",
        f"/admin/patients/patient/{patient.pk}/change/",
        "/admin/protocols/course/",
        f"/admin/protocols/course/{course.pk}/change/",
    ]
    page = browser_page
    found = {}
    for user, extra in ((olga, []), (boss, admin_pages)):
        sign_in(page, live_server, user.username)
        for language in ("en", "ru"):
            type(user).objects.filter(pk=user.pk).update(language=language)
            for width in (1280, 768):
                page.set_viewport_size({"width": width, "height": 900})
                for url in pages + extra:
                    page.goto(live_server.url + url)
                    if bad := violations(page):
                        found[(user.username, language, width, url)] = bad
                    scroll = page.evaluate(SIDEWAYS)
                    if scroll > 0:
                        found[(user.username, language, width, url, "scroll")] = scroll
                # The record form after a refused save: its messages, beside visible fields.
                page.goto(f"{live_server.url}/sessions/{session.pk}/record/")
                page.locator("[data-outcome-choice=skipped]").click()
                page.locator("form[data-record-session] button[type=submit]").click()
                page.locator(".invalid-feedback").first.wait_for()
                if bad := violations(page):
                    found[(user.username, language, width, "record form with errors")] = bad
                # The course page with its confirmation open.
                page.goto(f"{live_server.url}/courses/{course.pk}/")
                page.locator(".confirm-step > summary").last.click()
                page.mouse.move(0, 0)
                page.wait_for_timeout(300)  # past the buttons' colour transition
                if bad := violations(page):
                    found[(user.username, language, width, "course confirmation")] = bad
    assert found == {}, report(found)
