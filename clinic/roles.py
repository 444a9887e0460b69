"""Staff roles as groups with permissions: Therapist and Clinic admin."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from clinic.models import CLINIC_ADMIN, THERAPIST

CLINICAL_RECORDS = ["patient", "condition", "exacerbation", "patientcontraindication"]
TEMPLATE_MODELS = ["protocoltemplate", "protocolstep", "handoutsection"]

ROLE_PERMISSIONS = {
    THERAPIST: {
        "clinic": [("view", ["clinic", "closeddate"])],
        "patients": [
            ("view", [*CLINICAL_RECORDS, "contraindicationkind"]),
            ("add", CLINICAL_RECORDS),
            ("change", CLINICAL_RECORDS),
            ("delete", ["condition", "exacerbation", "patientcontraindication"]),
        ],
        "protocols": [
            ("view", [*TEMPLATE_MODELS, "course", "session"]),
            ("add", ["course", "session"]),
            ("change", ["course", "session"]),
        ],
    },
}
ROLE_PERMISSIONS[CLINIC_ADMIN] = {
    "audit": [("view", ["auditentry"])],
    "clinic": [
        ("view", ["clinic", "closeddate", "user"]),
        ("change", ["clinic", "closeddate", "user"]),
        ("add", ["closeddate", "user"]),
        ("delete", ["closeddate"]),
    ],
    "patients": [
        *ROLE_PERMISSIONS[THERAPIST]["patients"],
        ("add", ["contraindicationkind"]),
        ("change", ["contraindicationkind"]),
        ("delete", ["contraindicationkind"]),
    ],
    "protocols": [
        *ROLE_PERMISSIONS[THERAPIST]["protocols"],
        ("add", TEMPLATE_MODELS),
        ("change", TEMPLATE_MODELS),
        ("delete", TEMPLATE_MODELS),
    ],
}


def permission_codenames(role: str) -> set[tuple[str, str]]:
    return {
        (app_label, f"{action}_{model}")
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
