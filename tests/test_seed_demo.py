"""``manage.py seed_demo``: a demo clinic whose patients show every rule, installed once."""

import itertools
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import planner
from clinic.models import Absence, Clinic, User, WorkingHours
from ops.management.commands.seed_demo import demo_day
from patients.models import Patient
from protocols.models import Course, Session
from protocols.planning import plan_for_patient

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_prints_working_credentials_once(client):
    first = seed()
    second = seed()

    credentials = dict(re.findall(r"username: (\S+)\s+password: (\S+)", first))
    assert set(credentials) == {
        "demo-admin",
        "demo-therapist",
        "demo-therapist-2",
        "demo-therapist-3",
        "demo-reception",
    }
    assert "password:" not in second
    assert "already installed" in second
    for username, password in credentials.items():
        signed_in = client.post("/accounts/login/", {"username": username, "password": password})
        assert signed_in.status_code == 302
        assert client.get("/patients/").status_code == 200
        # the front desk reads no clinical record, so it does not enter the admin
        admin = client.get("/admin/").status_code
        assert admin == (302 if username == "demo-reception" else 200), username
        client.post("/accounts/logout/")


def test_the_demo_front_desk_is_a_receptionist_with_no_hours():
    seed()
    desk = User.objects.get(username="demo-reception")

    assert [g.name for g in desk.groups.all()] == ["Reception"]
    assert not desk.working_hours.exists()
    assert not Session.objects.filter(therapist=desk).exists()
    assert desk.has_perm("protocols.book_session")
    assert not desk.has_perm("patients.view_condition")


def test_a_second_run_changes_nothing():
    seed()
    counts = (Clinic.objects.count(), Patient.objects.count(), Course.objects.count())

    seed()

    assert (Clinic.objects.count(), Patient.objects.count(), Course.objects.count()) == counts


def test_the_demo_clinic_has_its_library_and_patients_and_is_closed_on_sundays():
    seed()

    clinic = Clinic.objects.get(name="Demo Massage Clinic")
    assert 6 not in clinic.working_weekdays
    assert clinic.protocol_templates.count() == 5
    assert 10 <= clinic.patients.count() <= 15
    assert {c.status for c in Course.objects.filter(patient__clinic=clinic)} == {
        Course.PLANNED,
        Course.ACTIVE,
        Course.ON_HOLD,
        Course.COMPLETED,
        Course.CANCELLED,
    }


def test_the_demo_patients_exercise_every_planning_rule():
    seed()
    clinic = Clinic.objects.get(name="Demo Massage Clinic")
    start = timezone.localdate()
    refused_rules, warning_rules = set(), set()
    for patient in clinic.patients.filter(archived=False):
        for template in clinic.protocol_templates.all():
            answer = plan_for_patient(patient=patient, template=template, start=start)
            if isinstance(answer, planner.Refusal):
                refused_rules |= {reason.rule for reason in answer.reasons}
            else:
                warning_rules |= {warning.rule for warning in answer.warnings}

    assert {"R4", "R6", "R7", "R8", "R9", "R11"} <= refused_rules
    assert "R10" in warning_rules
    stored_warnings = [w["rule"] for c in Course.objects.all() for w in c.warnings]
    assert "R10" in stored_warnings


def test_the_clinic_has_two_rooms_and_three_therapists_with_their_weeks():
    seed()
    clinic = Clinic.objects.get(name="Demo Massage Clinic")

    assert list(clinic.rooms.values_list("name", flat=True)) == ["Room 1", "Room 2"]
    weeks = {}
    for hours in WorkingHours.objects.filter(therapist__clinic=clinic):
        weeks.setdefault(hours.therapist.username, {}).setdefault(hours.weekday, []).append(
            (hours.start, hours.end)
        )
    assert len(weeks) >= 3
    assert weeks["demo-therapist"][0] == [(9 * 60, 13 * 60), (14 * 60, 18 * 60)]  # lunch break
    assert any(2 not in week and 0 in week for week in weeks.values())  # not on Wednesdays
    assert Absence.objects.filter(therapist__clinic=clinic, end__gte=timezone.localdate()).exists()
    assert (
        User.objects.filter(clinic=clinic, username__in=["demo-admin", "demo-therapist"]).count()
        == 2
    )


def test_every_demo_session_is_booked_at_a_time():
    seed()
    sessions = Session.objects.filter(course__patient__clinic__name="Demo Massage Clinic")

    assert sessions.count() > 100
    assert not sessions.filter(starts_at__isnull=True).exists()
    assert not sessions.filter(ends_at__isnull=True).exists()
    assert not sessions.filter(therapist__isnull=True).exists()
    assert not sessions.filter(room__isnull=True).exists()


def overlapping(bookings):
    by_start = sorted(bookings, key=lambda s: s.starts_at)
    return [(a, b) for a, b in itertools.pairwise(by_start) if b.starts_at < a.ends_at]


def test_no_two_bookings_of_a_therapist_or_a_room_overlap():
    seed()
    live = list(Session.objects.filter(status__in=(Session.PLANNED, Session.DONE)))

    for key in ("therapist_id", "room_id"):
        groups = {}
        for session in live:
            groups.setdefault(getattr(session, key), []).append(session)
        assert len(groups) >= 2
        for bookings in groups.values():
            assert overlapping(bookings) == []


def test_the_demo_day_looks_like_a_clinics_day():
    seed()
    clinic = Clinic.objects.get(name="Demo Massage Clinic")
    day = demo_day(clinic, timezone.localdate())  # today, unless the clinic is closed today

    booked = Session.objects.filter(course__patient__clinic=clinic, date=day, status="planned")

    assert booked.count() >= 6
    assert booked.values("therapist").distinct().count() >= 2
    assert booked.values("room").distinct().count() == 2  # two patients at once somewhere
    assert len({session.starts_at for session in booked}) >= 5
