"""Staff roles (clinic/roles.py): the groups migrate creates and what each may do."""

import pytest
from django.contrib.auth.models import Group

from clinic.models import CLINIC_ADMIN, RECEPTION, THERAPIST
from clinic.roles import GIVES_SESSIONS, PATIENT_FACTS, READS_CLINICAL_RECORDS, ensure_roles


def group_permissions(name):
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_migrate_creates_the_therapist_clinic_admin_and_reception_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {THERAPIST, CLINIC_ADMIN, RECEPTION}


def test_a_therapist_views_templates_but_cannot_change_them(therapist_a):
    assert therapist_a.has_perm("protocols.view_protocoltemplate")
    assert not therapist_a.has_perm("protocols.change_protocoltemplate")


def test_a_therapist_adds_and_changes_patients(therapist_a):
    assert therapist_a.has_perm("patients.add_patient")
    assert therapist_a.has_perm("patients.change_patient")


def test_a_clinic_admin_changes_templates_and_the_contraindication_list(admin_a):
    assert admin_a.has_perm("protocols.change_protocoltemplate")
    assert admin_a.has_perm("patients.change_contraindicationkind")


@pytest.mark.parametrize("role", [THERAPIST, CLINIC_ADMIN, RECEPTION])
def test_no_role_may_delete_a_patient(db, role):
    assert "patients.delete_patient" not in group_permissions(role)


def test_ensure_roles_run_again_changes_nothing(db):
    before = {name: group_permissions(name) for name in (THERAPIST, CLINIC_ADMIN, RECEPTION)}
    group_count = Group.objects.count()

    ensure_roles()
    ensure_roles()

    assert Group.objects.count() == group_count
    roles = (THERAPIST, CLINIC_ADMIN, RECEPTION)
    assert {name: group_permissions(name) for name in roles} == before


def test_ensure_roles_restores_a_permission_removed_by_hand(db):
    group = Group.objects.get(name=THERAPIST)
    group.permissions.remove(*group.permissions.filter(codename="add_patient"))
    assert "patients.add_patient" not in group_permissions(THERAPIST)

    ensure_roles()

    assert "patients.add_patient" in group_permissions(THERAPIST)


def test_the_front_desk_runs_the_calendar_and_reads_patients_contacts(db):
    assert group_permissions(RECEPTION) == {
        "clinic.view_clinic",
        "clinic.view_closeddate",
        "clinic.view_room",
        "clinic.view_workinghours",
        "clinic.view_absence",
        "clinic.add_absence",
        "clinic.change_absence",
        "clinic.delete_absence",
        "patients.view_patient",
        "protocols.view_calendar",
        "protocols.book_session",
        "protocols.move_any_session",
    }


def test_the_front_desk_reads_no_clinical_record_changes_nothing_clinical_and_gives_no_session(
    db,
):
    granted = group_permissions(RECEPTION)
    records = {
        "patients": [*PATIENT_FACTS, "contraindicationkind"],
        "protocols": ["course", "session", "protocoltemplate", "protocolstep", "handoutsection"],
        "audit": ["auditentry"],
    }
    clinical = {
        f"{app}.{action}_{model}"
        for app, models in records.items()
        for model in models
        for action in ("view", "add", "change", "delete")
    }
    assert granted.isdisjoint(clinical)
    assert READS_CLINICAL_RECORDS not in granted
    assert GIVES_SESSIONS not in granted
    assert not {p for p in granted if p.startswith("patients.") and p != "patients.view_patient"}


@pytest.mark.parametrize("role", [THERAPIST, CLINIC_ADMIN])
def test_therapists_and_clinic_admins_read_records_and_give_sessions(db, role):
    assert {READS_CLINICAL_RECORDS, GIVES_SESSIONS} <= group_permissions(role)


@pytest.mark.parametrize(
    ("role", "moves_any"), [(THERAPIST, False), (CLINIC_ADMIN, True), (RECEPTION, True)]
)
def test_who_moves_whose_sessions(db, role, moves_any):
    # Every role sees the calendar and moves sessions; a therapist only their own (the sessions
    # they give or of their courses), a clinic admin and the front desk any of the clinic.
    granted = group_permissions(role)
    assert {"protocols.view_calendar", "protocols.book_session"} <= granted
    assert ("protocols.move_any_session" in granted) is moves_any
