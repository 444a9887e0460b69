"""Pages speak the user's language: English or Russian, chosen per user."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from patients.models import Exacerbation
from tests.workspace import classic, knee_patient, today


def russian(message):
    with translation.override("ru"):
        return gettext(message)


def test_the_russian_catalogue_is_compiled_and_complete_for_key_strings():
    for message in ["My day", "Patients", "Plan a course", "Sign out", "Record", "Preview"]:
        assert russian(message) != message, f"not translated: {message}"


@pytest.mark.django_db
def test_a_russian_speaking_therapist_sees_russian_pages(client, therapist_a):
    therapist_a.language = "ru"
    therapist_a.save()
    client.force_login(therapist_a)

    response = client.get(reverse("home"))
    page = response.content.decode()

    assert '<html lang="ru">' in page
    assert russian("My day") in page
    assert "My day" not in page
    assert response["Content-Language"] == "ru"


@pytest.mark.django_db
def test_a_refusal_is_explained_in_russian(client, therapist_a, clinic_a):
    therapist_a.language = "ru"
    therapist_a.save()
    client.force_login(therapist_a)
    patient = knee_patient(clinic_a)
    Exacerbation.objects.create(patient=patient, condition=patient.conditions.get(), start=today())

    response = client.get(
        reverse("protocols:course_preview", args=[patient.pk]),
        {"template": classic(clinic_a).pk, "start": today().isoformat()},
    )
    page = response.content.decode()

    assert "R6" in page
    assert "exacerbation" not in page
    assert russian("This course cannot be planned as asked.") in page


@pytest.mark.django_db
def test_the_language_switch_remembers_the_choice(client, therapist_a):
    client.force_login(therapist_a)

    client.post(reverse("set_language"), {"language": "ru", "next": "/patients/"})

    therapist_a.refresh_from_db()
    assert therapist_a.language == "ru"
    assert russian("Patients") in client.get(reverse("patients:list")).content.decode()


@pytest.mark.django_db
def test_the_language_switch_ignores_unknown_languages_and_foreign_redirects(client, therapist_a):
    client.force_login(therapist_a)

    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"
    therapist_a.refresh_from_db()
    assert therapist_a.language == ""


@pytest.mark.django_db
def test_a_russian_speaking_therapist_sees_the_russian_course_name_in_the_chart_and_hold(
    client, therapist_a, clinic_a
):
    from protocols.services import record_session
    from tests.workspace import running_course

    therapist_a.language = "ru"
    therapist_a.save()
    client.force_login(therapist_a)
    patient = knee_patient(clinic_a)
    course = running_course(patient, therapist_a)
    russian_name = classic(clinic_a).name_ru
    english_name = classic(clinic_a).name
    first = course.sessions.order_by("number").first()
    record_session(
        session=first, user=therapist_a, done=True, actual_minutes=7, pain_before=5, pain_after=3
    )

    chart = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    held = client.post(
        reverse("patients:period_new", args=[patient.pk, "exacerbations"]),
        {"condition": patient.conditions.get().pk, "start": today().strftime("%d.%m.%Y")},
        follow=True,
    ).content.decode()

    assert russian_name and russian_name != english_name
    assert russian_name[:27] in chart and english_name[:27] not in chart
    assert russian_name in held and english_name not in held
