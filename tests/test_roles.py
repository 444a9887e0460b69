"""Staff roles (clinic/roles.py): the groups migrate creates and what each may do."""

import pytest
from django.contrib.auth.models import Group

from clinic.models import CLINIC_ADMIN, THERAPIST
from clinic.roles import ensure_roles


def group_permissions(name):
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_migrate_creates_the_therapist_and_clinic_admin_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {THERAPIST, CLINIC_ADMIN}


def test_a_therapist_views_templates_but_cannot_change_them(therapist_a):
    assert therapist_a.has_perm("protocols.view_protocoltemplate")
    assert not therapist_a.has_perm("protocols.change_protocoltemplate")


def test_a_therapist_adds_and_changes_patients(therapist_a):
    assert therapist_a.has_perm("patients.add_patient")
    assert therapist_a.has_perm("patients.change_patient")


def test_a_clinic_admin_changes_templates_and_the_contraindication_list(admin_a):
    assert admin_a.has_perm("protocols.change_protocoltemplate")
    assert admin_a.has_perm("patients.change_contraindicationkind")


@pytest.mark.parametrize("role", [THERAPIST, CLINIC_ADMIN])
def test_no_role_may_delete_a_patient(db, role):
    assert "patients.delete_patient" not in group_permissions(role)


def test_ensure_roles_run_again_changes_nothing(db):
    before = {name: group_permissions(name) for name in (THERAPIST, CLINIC_ADMIN)}
    group_count = Group.objects.count()

    ensure_roles()
    ensure_roles()

    assert Group.objects.count() == group_count
    assert {name: group_permissions(name) for name in (THERAPIST, CLINIC_ADMIN)} == before


def test_ensure_roles_restores_a_permission_removed_by_hand(db):
    group = Group.objects.get(name=THERAPIST)
    group.permissions.remove(*group.permissions.filter(codename="add_patient"))
    assert "patients.add_patient" not in group_permissions(THERAPIST)

    ensure_roles()

    assert "patients.add_patient" in group_permissions(THERAPIST)
