"""Property-based: generated input posted to every form of the workspace and the admin.

Whatever is typed (control characters, NUL, huge and negative numbers, impossible dates, very long
or empty text, any Unicode), the answer is never a server error: it is a success (a redirect, or
the page asked for), or the form again with a message, or a plain 400 with a message. A rejected
submission changes no row of the app's tables.

Each example runs in a transaction that is rolled back afterwards, so every example starts from
the same records; the examples are few per form to keep the suite fast.
"""

from contextlib import contextmanager
from datetime import date

import pytest
from django.apps import apps
from django.contrib.messages import ERROR
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Absence
from patients.models import ContraindicationKind, Exacerbation, PatientContraindication
from protocols.services import save_period
from tests.factories import ConditionFactory
from tests.workspace import classic, knee_patient, running_course, today

PASSWORD = "correct horse battery staple"

fuzz = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- What a user (or a script) might type ------------------------------------------------------

ODD_DATES = [
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "10000-01-01",
    "-0001-01-01",
    "31.12.2026",
    "2026-02-28T10:00",
    "today",
    "",
    " ",
]
ODD_NUMBERS = [
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "inf",
    "1.5",
    "0x10",
    "١٢",
    "9" * 40,
    "-" + "9" * 40,
    "9" * 5000,
    "",
]
SPECIAL_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",
    "مرحبا שלום",
    "👩\u200d👩\u200d👧\u200d👦",
    "x" * 301,
    "y" * 5000,
    "%(name)s %s {0} {{ x }}",
    "\r\n\r\n",
]

any_text = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(SPECIAL_TEXTS),
)
odd_date = st.one_of(
    st.sampled_from(ODD_DATES),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)
odd_number = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(ODD_NUMBERS),
)
anything = st.one_of(any_text, odd_date, odd_number)


def field(*good):
    """A field's value: one of the ``good`` ones, or anything at all."""
    return st.one_of(st.sampled_from(good), anything) if good else anything


def form(**fields):
    """A dict of field → value where each field may also be left out."""
    return st.fixed_dictionaries({}, optional=fields)


# --- Checking an answer -----------------------------------------------------------------------

APP_MODELS = [
    model
    for model in apps.get_models()
    if model._meta.app_label in ("clinic", "patients", "protocols")
]


def rows() -> dict:
    """Every row of the app's tables (the users too), to compare before and after."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in APP_MODELS
    }


ERROR_MARKERS = ("is-invalid", "invalid-feedback", "errorlist", "errornote", "alert-danger")
ERROR_MARKERS += ("text-danger",)


@contextmanager
def example():
    """One example's requests, rolled back afterwards so the next starts from the same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def added_messages(response) -> list:
    """The messages this request added (not those still stored from earlier requests)."""
    return list(response.wsgi_request._messages._queued_messages)


def check(response, before: dict, *, statuses=(200, 302, 400)) -> None:
    """Never a server error; a rejected submission says why and leaves every row as it was."""
    assert response.status_code in statuses, response.status_code
    errors = [m for m in added_messages(response) if m.level >= ERROR]
    rejected = response.status_code != 302 or errors
    if not rejected:
        return
    if response.status_code == 302:
        assert all(str(m).strip() for m in errors)
    elif response.status_code == 200:
        html = response.content.decode()
        assert any(marker in html for marker in ERROR_MARKERS), "no message on the page"
    else:
        assert response.content.strip(), "a refusal without a message"
    assert rows() == before, f"a rejected submission changed rows: {response.status_code} {errors}"


def post(client, url, data, **kwargs):
    before = rows()
    response = client.post(url, data)
    check(response, before, **kwargs)
    return response


# --- The records every example starts from -----------------------------------------------------


@pytest.fixture
def world(clinic_a, therapist_a, admin_a):
    """A patient with a running course and ended periods; another with a course on hold."""
    patient = knee_patient(clinic_a, first_name="Maria", last_name="Ivanova")
    course = running_course(patient, therapist_a)
    fever = ContraindicationKind.objects.get(clinic=clinic_a, code="fever")
    condition = patient.conditions.get()
    exacerbation = Exacerbation.objects.create(
        patient=patient, condition=condition, start=date(2020, 1, 1), end=date(2020, 2, 1)
    )
    contraindication = PatientContraindication.objects.create(
        patient=patient, kind=fever, start=date(2020, 3, 1), end=date(2020, 3, 5)
    )
    held_patient = knee_patient(clinic_a, last_name="Petrova")
    held = running_course(held_patient, therapist_a)
    open_flare = Exacerbation(
        patient=held_patient, condition=held_patient.conditions.get(), start=today()
    )
    save_period(open_flare)
    held.refresh_from_db()
    assert held.status == held.ON_HOLD
    ConditionFactory(patient=held_patient, kind="sciatica", stage=None, side="right")
    absence = Absence.objects.create(
        therapist=therapist_a, start=date(2026, 12, 21), end=date(2027, 1, 3)
    )
    therapist = Client(raise_request_exception=False)
    therapist.force_login(therapist_a)
    admin = Client(raise_request_exception=False)
    admin.force_login(admin_a)
    return {
        "absence": absence,
        "patient": patient,
        "course": course,
        "session": course.sessions.order_by("number").first(),
        "held": held,
        "held_patient": held_patient,
        "flare": open_flare,
        "exacerbation": exacerbation,
        "contraindication": contraindication,
        "condition": condition,
        "fever": fever,
        "therapist": therapist,
        "admin": admin,
        "template": classic(clinic_a),
    }


# --- The therapist's workspace ----------------------------------------------------------------

patient_form = form(
    first_name=field("Anna"),
    last_name=field("Smirnova"),
    birth_date=field("1960-05-01", ""),
    phone=field("+7 900 123 45 67", ""),
    email=field("anna@example.org", ""),
    language=field("en", "ru"),
    notes=field("", "Prefers mornings."),
)


@pytest.mark.django_db
@fuzz
@given(data=patient_form)
def test_the_patient_forms_survive_anything(world, data):
    with example():
        post(world["therapist"], reverse("patients:create"), data)
    with example():
        post(world["therapist"], reverse("patients:edit", args=[world["patient"].pk]), data)


@pytest.mark.django_db
@fuzz
@given(
    data=form(
        q=any_text,
        condition=field("knee_arthrosis", ""),
        archived=field("on", ""),
        page=field("1", "2"),
    )
)
def test_the_patient_search_survives_anything(world, data):
    response = world["therapist"].get(reverse("patients:list"), data)
    assert response.status_code == 200


condition_form = form(
    kind=field("knee_arthrosis", "endoprosthetics", "sciatica", "inflammatory_arthritis"),
    stage=field("1", "2", "3", ""),
    kl_grade=field("0", "4", ""),
    knee_tender=field("on", ""),
    joint=field("knee", "hip", ""),
    side=field("left", "right", "both", ""),
    surgery_date=field("2024-01-15", ""),
    note=field("", "After a fall."),
)


@pytest.mark.django_db
@fuzz
@given(data=condition_form)
def test_the_condition_forms_survive_anything(world, data):
    patient = world["patient"]
    with example():
        post(world["therapist"], reverse("patients:condition_new", args=[patient.pk]), data)
    with example():
        url = reverse("patients:condition_edit", args=[patient.pk, world["condition"].pk])
        post(world["therapist"], url, data)


@pytest.mark.django_db
@fuzz
@given(
    kind=st.sampled_from(["exacerbations", "contraindications"]),
    data=form(
        condition=field("CONDITION"),
        kind=field("KIND"),
        start=field("2026-01-10", "2030-01-01"),
        end=field("", "2026-01-20", "2031-01-01"),
        note=field("", "Swollen."),
    ),
)
def test_the_period_forms_survive_anything(world, kind, data):
    data = {
        key: {"CONDITION": world["condition"].pk, "KIND": world["fever"].pk}.get(value, value)
        for key, value in data.items()
    }
    patient = world["patient"]
    period = world["exacerbation" if kind == "exacerbations" else "contraindication"]
    with example():
        post(world["therapist"], reverse("patients:period_new", args=[patient.pk, kind]), data)
    with example():
        url = reverse("patients:period_edit", args=[patient.pk, kind, period.pk])
        post(world["therapist"], url, data)


@pytest.mark.django_db
@fuzz
@given(
    target=st.sampled_from(["exacerbation", "contraindication", "flare"]),
    data=form(end=field("2026-01-20", "2030-01-01")),
)
def test_ending_a_period_survives_anything(world, target, data):
    period = world[target]
    kind = "contraindications" if target == "contraindication" else "exacerbations"
    url = reverse("patients:period_end", args=[period.patient_id, kind, period.pk])
    with example():
        post(world["therapist"], url, data)


plan_form = form(
    template=field("TEMPLATE"),
    start=field("TODAY", ""),
    sessions=field("", "10", "1"),
    cadence_days=field("", "1", "2", "3", "7"),
    token=field("", "6f1c2a3e-1b2c-4d5e-8f90-123456789abc"),
)


def with_template(world, data):
    values = {"TEMPLATE": world["template"].pk, "TODAY": today().isoformat()}
    return {key: values.get(value, value) for key, value in data.items()}


@pytest.mark.django_db
@fuzz
@given(data=plan_form)
def test_planning_a_course_and_its_live_preview_survive_anything(world, data):
    data = with_template(world, data)
    patient = world["held_patient"]  # no running course ... but on hold: planning is refused
    with example():
        post(world["therapist"], reverse("protocols:course_new", args=[patient.pk]), data)
    with example():
        post(world["therapist"], reverse("protocols:course_new", args=[world["patient"].pk]), data)
    response = world["therapist"].get(
        reverse("protocols:course_preview", args=[patient.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200


@pytest.mark.django_db
@fuzz
@given(
    data=form(
        outcome=field("done", "skipped"),
        actual_minutes=field("10", ""),
        pain_before=field("0", "7", "10", ""),
        pain_after=field("0", "3", ""),
        skip_reason=field("pain", "discomfort", "other", ""),
        note=field("", "Felt better."),
        next=field("day", ""),
        version=field("1", "2", ""),  # the page's course version: current, stale or missing
    )
)
def test_recording_a_session_survives_anything(world, data):
    with example():
        post(
            world["therapist"],
            reverse("protocols:session_record", args=[world["session"].pk]),
            data,
        )


@pytest.mark.django_db
@fuzz
@given(
    data=form(start=field("TODAY", "2030-01-01"), version=field("1", "2", "")),
    action=st.sampled_from(["complete", "cancel"]),
)
def test_resuming_and_closing_a_course_survive_anything(world, data, action):
    data = with_template(world, data)
    with example():
        post(world["therapist"], reverse("protocols:course_resume", args=[world["held"].pk]), data)
    with example():
        url = reverse("protocols:course_close", args=[world["held"].pk, action])
        post(world["therapist"], url, data)


absence_form = form(
    start=field("2027-03-01", "2026-12-21", "1899-12-31"),
    end=field("2027-03-05", "2027-01-03", "2200-01-01", ""),
    reason=field("leave", "sickness", "training", "other"),
    note=field("", "Family trip"),
)


@pytest.mark.django_db
@fuzz
@given(data=absence_form)
def test_the_absence_forms_survive_anything(world, data):
    pk = world["absence"].pk
    for url in (
        reverse("staff:absences"),
        reverse("staff:absence_edit", args=[pk]),
        reverse("staff:absence_delete", args=[pk]),
    ):
        with example():
            post(world["therapist"], url, data)


@pytest.mark.django_db
@fuzz
@given(date_value=anything)
def test_the_day_pdf_survives_any_date(world, date_value):
    response = world["therapist"].get(reverse("protocols:day_sheets"), {"date": date_value})
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        assert "YYYY-MM-DD" in response.content.decode()


@pytest.mark.django_db
@fuzz
@given(
    data=form(
        old_password=field(PASSWORD, ""),
        new_password1=field("a fresh long passphrase 7", ""),
        new_password2=field("a fresh long passphrase 7", ""),
    )
)
def test_the_password_change_survives_anything(world, data):
    with example():
        post(world["therapist"], reverse("password_change"), data)


@pytest.mark.django_db
@fuzz
@given(data=form(username=field("therapist_a", ""), password=field(PASSWORD, "")))
def test_signing_in_survives_anything(world, data):
    # Failed sign-ins are recorded by the throttle (django-axes): those are its rows, not the app's.
    with example():
        before = rows()
        response = Client(raise_request_exception=False).post(reverse("login"), data)
        check(response, before, statuses=(200, 302, 429))


@pytest.mark.django_db
@fuzz
@given(data=form(language=field("en", "ru"), next=field("/", "https://evil.example/")))
def test_switching_the_language_survives_anything(world, data):
    with example():
        response = world["therapist"].post(reverse("set_language"), data)
        assert response.status_code == 302
        assert not response["Location"].startswith("https://evil")


# --- Regressions the fuzzing found ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["create", "edit", "condition_new", "exacerbations"])
def test_an_empty_submission_says_what_is_missing(world, page):
    patient = world["patient"]
    url = {
        "create": reverse("patients:create"),
        "edit": reverse("patients:edit", args=[patient.pk]),
        "condition_new": reverse("patients:condition_new", args=[patient.pk]),
        "exacerbations": reverse("patients:period_new", args=[patient.pk, "exacerbations"]),
    }[page]
    before = rows()

    response = world["therapist"].post(url, {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert rows() == before


@pytest.mark.django_db
def test_switching_the_language_with_a_word_for_a_return_address_goes_home(world):
    response = world["therapist"].post(reverse("set_language"), {"language": "ru", "next": "0"})

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_resuming_a_course_in_the_far_future_is_refused_with_a_message(world):
    held = world["held"]
    before = rows()

    response = world["therapist"].post(
        reverse("protocols:course_resume", args=[held.pk]),
        {"start": "9999-10-01", "version": held.version},
    )

    assert response.status_code == 302
    assert [str(m) for m in added_messages(response)] == ["Plan at most a year ahead."]
    assert rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["exacerbations", "contraindications"])
def test_a_period_reaching_the_year_9999_is_refused_so_planning_cannot_fail(world, kind):
    patient = world["patient"]
    period = world["exacerbation" if kind == "exacerbations" else "contraindication"]
    data = {
        "condition": world["condition"].pk,
        "kind": world["fever"].pk,
        "start": "2026-01-10",
        "end": "9999-12-31",
    }
    before = rows()

    new = world["therapist"].post(reverse("patients:period_new", args=[patient.pk, kind]), data)
    ended = world["therapist"].post(
        reverse("patients:period_end", args=[patient.pk, kind, period.pk]), {"end": "9999-12-31"}
    )

    assert "Enter a date from 1900 to 2199." in new.content.decode()
    assert [str(m) for m in added_messages(ended)] == ["Enter a date from 1900 to 2199."]
    assert rows() == before


@pytest.mark.django_db
def test_a_sign_in_with_a_too_long_username_is_refused_and_still_throttled(world):
    from axes.models import AccessAttempt

    username = "x" * 300
    response = Client(raise_request_exception=False).post(
        reverse("login"), {"username": username, "password": "wrong"}
    )

    assert response.status_code == 200
    assert any(marker in response.content.decode() for marker in ERROR_MARKERS)
    # Counted under what fits the 255-character column (PostgreSQL refused the whole name: 500).
    assert AccessAttempt.objects.get().username == "x" * 150
