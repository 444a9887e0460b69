"""Staff roles as groups with permissions: Therapist, Clinic admin and Reception."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from clinic.models import CLINIC_ADMIN, RECEPTION, THERAPIST

CLINICAL_RECORDS = ["patient", "condition", "exacerbation", "patientcontraindication"]
# The facts on a patient's record. The workspace changes them under ``change_patient``; their own
# add/change permissions are asked for only by the admin's patient page (its inlines), so they
# decide who may write clinical records in the admin.
PATIENT_FACTS = ["condition", "exacerbation", "patientcontraindication"]
TEMPLATE_MODELS = ["protocoltemplate", "protocolstep", "handoutsection"]
TIME_MODELS = ["room", "workinghours", "absence"]  # the clinic's rooms, staff hours and leave
# The calendar (Session's own permissions): seeing it, moving and cancelling sessions and
# recording no-shows, and doing so for any therapist's sessions rather than one's own.
CALENDAR = ["view_calendar", "book_session"]

# What each role may do. The workspace and the admin read the same model permissions, so each
# grant is there for one of them:
# - a therapist keeps records in the workspace (patients: view, add, change; courses: view, add,
#   change; sessions: change, which is recording one) and in the admin only reads: the library,
#   the clinic and its closed days, the contraindication list, patients and courses. The admin's
#   course page is read-only for everyone (protocols/admin.py), and its patient page writes only
#   for those who also hold the facts' permissions below, so change_patient or change_course do
#   not open a second write path there. No session is added by hand (the planner adds them).
# - a clinic admin is also a therapist, and in the admin edits the library, the contraindication
#   list, the clinic's details and closed days, and the staff; reads the audit trail; and may
#   correct a patient's record and facts in the admin, which saves them through the same services
#   as the workspace. Facts are never deleted (the workspace ends a period instead).
ROLE_PERMISSIONS = {
    THERAPIST: {
        # The appointment book: a therapist sees rooms and hours and keeps their own absences
        # (the workspace lets them change only their own).
        "clinic": [
            ("view", ["clinic", "closeddate", *TIME_MODELS]),
            ("add", ["absence"]),
            ("change", ["absence"]),
            ("delete", ["absence"]),
        ],
        "patients": [
            ("view", [*CLINICAL_RECORDS, "contraindicationkind"]),
            ("add", ["patient"]),
            ("change", ["patient"]),
        ],
        "protocols": [
            ("view", [*TEMPLATE_MODELS, "course", "session"]),
            ("add", ["course"]),
            ("change", ["course", "session"]),
            ("", CALENDAR),
        ],
    },
}
ROLE_PERMISSIONS[CLINIC_ADMIN] = {
    "audit": [("view", ["auditentry"])],
    # The outbox: every message to the clinic's patients, and sending a failed one again.
    "messaging": [("view", ["message"]), ("change", ["message"])],
    "clinic": [
        ("view", ["clinic", "closeddate", "user", *TIME_MODELS]),
        ("change", ["clinic", "closeddate", "user", *TIME_MODELS]),
        ("add", ["closeddate", "user", *TIME_MODELS]),
        ("delete", ["closeddate", *TIME_MODELS]),
    ],
    "patients": [
        *ROLE_PERMISSIONS[THERAPIST]["patients"],
        ("add", [*PATIENT_FACTS, "contraindicationkind"]),
        ("change", [*PATIENT_FACTS, "contraindicationkind"]),
        ("delete", ["contraindicationkind"]),
    ],
    "protocols": [
        *ROLE_PERMISSIONS[THERAPIST]["protocols"],
        ("add", TEMPLATE_MODELS),
        ("change", TEMPLATE_MODELS),
        ("delete", TEMPLATE_MODELS),
        ("", ["move_any_session"]),
    ],
}
# Two questions pages ask about a member of staff, answered by a permission (read with the user's
# permissions, no query of its own) rather than by a role's name:
# - may they read clinical records? Conditions, periods, courses, documents, the audit trail,
#   and the admin, whose patient pages show them. Therapists and clinic admins; not Reception.
READS_CLINICAL_RECORDS = "patients.view_condition"
# - do they run the clinic? Its reports (outcomes per template, adherence, the appointment book's
#   use) are for those who edit the clinic's details and library: clinic admins.
RUNS_THE_CLINIC = "clinic.change_clinic"
# - do they give sessions? Recording a session is for whoever gives it, so this is who a course
#   may be booked with, and who keeps their own hours and leave. Not Reception.
GIVES_SESSIONS = "protocols.change_session"
# - may they book a course with a colleague? Planning is for those who give sessions; of them,
#   those who manage the staff (clinic admins) may also fill any colleague's time, and the others
#   book their own. (Not "may move any session": the front desk may, and a therapist who also
#   works the desk still plans only their own courses.)
BOOKS_FOR_COLLEAGUES = "clinic.change_user"

# The front desk runs the calendar: it sees the clinic's day and the patients' names and contact
# details, moves and cancels sessions, records no-shows and the therapists' absences, but reads
# no clinical record (conditions, periods, courses' notes and pain, the audit trail) and edits
# no template.
ROLE_PERMISSIONS[RECEPTION] = {
    "clinic": [
        ("view", ["clinic", "closeddate", *TIME_MODELS]),
        ("add", ["absence"]),
        ("change", ["absence"]),
        ("delete", ["absence"]),
    ],
    "patients": [("view", ["patient"])],
    "protocols": [("", [*CALENDAR, "move_any_session"])],
}


def permission_codenames(role: str) -> set[tuple[str, str]]:
    return {
        (app_label, f"{action}_{model}" if action else model)
        for app_label, grants in ROLE_PERMISSIONS[role].items()
        for action, models in grants
        for model in models
    }


def ensure_roles() -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for role in ROLE_PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = permission_codenames(role)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type").filter(
                content_type__app_label__in={app for app, _code in wanted}
            )
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:  # a model was renamed without updating ROLE_PERMISSIONS
            raise LookupError(f"Unknown permissions for role {role}: {sorted(missing)}")
        group.permissions.set(permissions)


def ensure_roles_after_migrate(sender, **kwargs):
    # post_migrate is sent once per app, and each app's permissions are created when it is the
    # sender: wait for the last app, when every permission exists.
    if sender.label == list(apps.get_app_configs())[-1].label:
        ensure_roles()
