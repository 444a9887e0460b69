"""Shared fixtures: two clinics, a therapist and an admin in clinic A, a therapist in clinic B."""

import pytest

from clinic.models import CLINIC_ADMIN
from tests.factories import ClinicFactory, PatientFactory, UserFactory


@pytest.fixture
def clinic_a(db):
    return ClinicFactory(name="Clinic A")


@pytest.fixture
def clinic_b(db):
    return ClinicFactory(name="Clinic B")


@pytest.fixture
def therapist_a(clinic_a):
    return UserFactory(username="therapist_a", clinic=clinic_a)


@pytest.fixture
def admin_a(clinic_a):
    return UserFactory(username="admin_a", clinic=clinic_a, role=CLINIC_ADMIN)


@pytest.fixture
def therapist_b(clinic_b):
    return UserFactory(username="therapist_b", clinic=clinic_b)


@pytest.fixture
def patient_a(clinic_a):
    return PatientFactory(clinic=clinic_a, first_name="Maria", last_name="Ivanova")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request of a Russian-speaking user leaves Russian active in the worker: reset it."""
    from django.utils import translation

    yield
    translation.activate("en")
