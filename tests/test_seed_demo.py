"""``manage.py seed_demo``: a demo clinic whose patients show every rule, installed once."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import planner
from clinic.models import Clinic
from patients.models import Patient
from protocols.models import Course
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
    assert set(credentials) == {"demo-admin", "demo-therapist"}
    assert "password:" not in second
    assert "already installed" in second
    for username, password in credentials.items():
        signed_in = client.post("/accounts/login/", {"username": username, "password": password})
        assert signed_in.status_code == 302
        assert client.get("/admin/").status_code == 200
        client.post("/accounts/logout/")


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
