"""The Django admin is scoped to the signed-in user's clinic, and roles decide who edits what."""

import pytest

from protocols.models import ProtocolTemplate
from tests.factories import PatientFactory


@pytest.mark.django_db
def test_the_patient_list_shows_only_the_users_clinic(client, therapist_a, patient_a, clinic_b):
    other = PatientFactory(clinic=clinic_b, last_name="Otherclinic")
    client.force_login(therapist_a)

    page = client.get("/admin/patients/patient/").content.decode()

    assert patient_a.last_name in page
    assert other.last_name not in page


@pytest.mark.django_db
def test_another_clinics_patient_is_not_found(client, therapist_a, clinic_b):
    other = PatientFactory(clinic=clinic_b)
    client.force_login(therapist_a)

    response = client.get(f"/admin/patients/patient/{other.pk}/change/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_therapist_cannot_change_a_protocol_template(client, therapist_a, clinic_a):
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic")
    client.force_login(therapist_a)

    response = client.post(
        f"/admin/protocols/protocoltemplate/{template.pk}/change/", {"name": "Changed"}
    )

    assert response.status_code == 403
    template.refresh_from_db()
    assert template.name != "Changed"


@pytest.mark.django_db
def test_a_clinic_admin_opens_the_clinics_own_template(client, admin_a, clinic_a):
    template = ProtocolTemplate.objects.get(clinic=clinic_a, slug="knee-arthrosis-classic")
    client.force_login(admin_a)

    response = client.get(f"/admin/protocols/protocoltemplate/{template.pk}/change/")

    assert response.status_code == 200
    assert template.name in response.content.decode()


@pytest.mark.django_db
def test_the_library_template_is_not_editable_by_a_clinic_admin(client, admin_a):
    library = ProtocolTemplate.objects.get(clinic=None, slug="knee-arthrosis-classic")
    client.force_login(admin_a)

    response = client.get(f"/admin/protocols/protocoltemplate/{library.pk}/change/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/patients/patient/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]
