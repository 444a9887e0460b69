"""The one cast of the suite: two clinics, a therapist, an admin and a receptionist in clinic A,
a therapist in clinic B, a patient of clinic A and a running course; the signed-in client and a
query counter.

Defined here only: a module that needs another set-up builds it from these, under its own name.
"""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import CLINIC_ADMIN, RECEPTION
from patients.models import ContraindicationKind, PatientContraindication
from tests.factories import ClinicFactory, PatientFactory, UserFactory
from tests.workspace import knee_patient, running_course, today


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
def reception_a(clinic_a):
    """Clinic A's front desk: the calendar and the patients' contact details, no clinical
    record."""
    return UserFactory(
        username="reception_a", first_name="Rita", last_name="Desk", clinic=clinic_a, role=RECEPTION
    )


@pytest.fixture
def therapist_b(clinic_b):
    return UserFactory(username="therapist_b", clinic=clinic_b)


@pytest.fixture
def patient_a(clinic_a):
    return PatientFactory(clinic=clinic_a, first_name="Maria", last_name="Ivanova")


@pytest.fixture
def signed_in(client, therapist_a):
    """The test client, signed in as clinic A's therapist."""
    client.force_login(therapist_a)
    return client


@pytest.fixture
def count_queries():
    """``count_queries(client, url, data=None)``: how many queries one GET of ``url`` takes.

    The page must answer 200: a redirect to the login page costs fewer queries, and would pass.
    """

    def count(client, url, data=None):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, data).status_code == 200
        return len(queries)

    return count


@pytest.fixture
def course(clinic_a, therapist_a):
    """Maria Ivanova's running course with therapist A: 15 daily sessions from today, stage 2
    knee arthrosis, on blood thinners since today (an R10 warning on every document)."""
    patient = knee_patient(clinic_a, first_name="Maria", last_name="Ivanova")
    thinners = ContraindicationKind.objects.get(clinic=clinic_a, code="anticoagulants")
    PatientContraindication.objects.create(patient=patient, kind=thinners, start=today())
    return running_course(patient, therapist_a, start=today(), cadence_days=1)


@pytest.fixture(autouse=True)
def _no_cached_documents():
    """Each test renders its own documents: none is served from an earlier test's cache."""
    from django.core.cache import caches

    caches["documents"].clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request of a Russian-speaking user leaves Russian active in the worker: reset it."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Under mutmut, run the tests without the database first.

    pytest-django puts database tests first; mutmut orders a mutant's tests fastest first and stops
    at the first failure, so most mutants are killed by a unit test before any test database is
    made (docs/mutation-testing.md). Elsewhere the order is pytest-django's.
    """
    if "MUTANT_UNDER_TEST" not in os.environ:
        return

    def uses_db(item):
        fixtures = getattr(item, "fixturenames", ())
        return bool(item.get_closest_marker("django_db")) or "db" in fixtures

    items.sort(key=uses_db)


@pytest.fixture
def default_library(db):
    """The installed default library, put back for tests with real transactions: pytest-django
    runs them last and flushes the database after each, which removes what migrate installed."""
    from protocols.library import install_default_library

    install_default_library()  # idempotent
