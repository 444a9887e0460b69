"""Backing up one clinic to a JSON file, and restoring it into an empty database.

A backup holds every row the clinic owns (``PARTS``), written with Django's serializer, after a
header: the format and its version, the database schema (the latest migration of each app),
when it was made, the clinic, and how many rows of each model follow. Rows keep their primary
keys, so a restore gives back exactly the ids that pages, calendar UIDs and admin history use; it
therefore goes into an empty database (``migrate`` run, no clinic data yet) and refuses, changing
nothing, when any of those ids or usernames is already taken.

What a clinic's rows point at outside the clinic is found again by name, never by id: role
groups, permissions and content types by their natural keys, the installed default library
(contraindication kinds, templates) by code and short name, staff outside the clinic (a superuser
who edited a template) by username. Such a user missing in the target is cleared from the rows
that name them, and the restore says so.

Every model of the project is either in ``PARTS`` or in ``EXCLUDED`` with the reason;
``tests/test_backup.py`` fails for a model in neither, so a new model (audit history, say) is one
line here.
"""

import json
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from clinic.models import Clinic, User

FORMAT = "massage-clinic-backup"
VERSION = 1


@dataclass(frozen=True)
class Part:
    """A model whose rows belong to a clinic, and the lookup from the model to the clinic."""

    model: str  # "app_label.ModelName"
    clinic_path: str  # e.g. "patient__clinic"; "pk" for the clinic itself

    @property
    def model_class(self):
        return apps.get_model(self.model)

    @property
    def label(self) -> str:
        """The label the serializer writes, e.g. ``patients.patient``."""
        return self.model_class._meta.label_lower

    def rows(self, clinic_id):
        lookup = "pk" if self.clinic_path == "pk" else f"{self.clinic_path}_id"
        return self.model_class._base_manager.filter(**{lookup: clinic_id}).order_by("pk")


# In the order they are restored: every row after the rows it points at.
PARTS = [
    Part("clinic.Clinic", "pk"),
    Part("clinic.ClosedDate", "clinic"),
    Part("clinic.Room", "clinic"),
    Part("clinic.User", "clinic"),  # with password hashes, role groups and own permissions
    Part("clinic.WorkingHours", "therapist__clinic"),
    Part("clinic.Absence", "therapist__clinic"),
    Part("patients.ContraindicationKind", "clinic"),  # the clinic's own list, not the library
    Part("patients.Patient", "clinic"),
    Part("patients.Condition", "patient__clinic"),
    Part("patients.Exacerbation", "patient__clinic"),
    Part("patients.PatientContraindication", "patient__clinic"),
    Part("protocols.ProtocolTemplate", "clinic"),  # the clinic's own templates, not the library
    Part("protocols.ProtocolStep", "template__clinic"),
    Part("protocols.HandoutSection", "template__clinic"),
    Part("protocols.TemplateVersion", "template__clinic"),
    Part("protocols.Course", "patient__clinic"),  # with the template snapshot it was planned with
    Part("protocols.Session", "clinic"),
    Part("admin.LogEntry", "user__clinic"),  # what the clinic's staff changed in the admin
    Part("otp_totp.TOTPDevice", "user__clinic"),  # staff's two-factor keys: sign-in stays as it was
    Part("otp_static.StaticDevice", "user__clinic"),  # and their recovery codes
    Part("otp_static.StaticToken", "device__user__clinic"),
    Part("audit.AuditEntry", "clinic"),  # the audit trail (entries of the library have no clinic)
]

# Models that are not backed up with a clinic, and why.
EXCLUDED = {
    "protocols.DocumentJob": "a background PDF render: transient, rebuilt from the sessions on "
    "request, and its stored PDF would only duplicate the sessions' data",
    "messaging.Message": "the outbox: copies of reminders and handouts already sent or failed; a "
    "restore starts with an empty outbox (the sessions it reminded of are restored)",
    "messaging.PatientLink": "a reminder's single-use links: a restore voids them, and a patient "
    "with an old link is asked to call the clinic",
    "auth.Group": "the roles, installed by migrate; users name theirs",
    "auth.Permission": "installed by migrate; users name theirs",
    "contenttypes.ContentType": "installed by migrate; admin history names its own",
    "sessions.Session": "sign-ins: staff sign in again after a restore",
    "axes.AccessAttempt": "sign-in throttling counters: a restore starts without lock-outs",
    "axes.AccessAttemptExpiration": "when a sign-in lock-out ends: transient",
    "axes.AccessFailureLog": "sign-in throttling log, keyed by address, not by clinic",
    "axes.AccessLog": "sign-in throttling log, keyed by address, not by clinic",
}


@dataclass(frozen=True)
class Library:
    """A model whose rows with no clinic are the installed default library, found by key."""

    model: str
    key: str


# Rows outside the clinic that its rows may point at by id (users are named by username).
LIBRARY = [
    Library("patients.ContraindicationKind", "code"),
    Library("protocols.ProtocolTemplate", "slug"),
]


class BackupError(Exception):
    """The backup cannot be made or restored; nothing was written."""

    def __init__(self, *problems: str):
        self.problems = list(problems)
        super().__init__("; ".join(problems))


class _Encoder(DjangoJSONEncoder):
    # DjangoJSONEncoder cuts times to milliseconds; a backup keeps them whole.
    def default(self, o):
        if hasattr(o, "isoformat") and hasattr(o, "microsecond"):
            return o.isoformat()
        return super().default(o)


def schema(using=DEFAULT_DB_ALIAS) -> dict:
    """The latest migration of each app the backup touches; the database must have them all."""
    app_labels = sorted({part.model.split(".")[0] for part in PARTS} | {"auth", "contenttypes"})
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    applied = MigrationRecorder(connections[using]).applied_migrations()
    latest = {}
    for app_label, name in graph.leaf_nodes():
        if app_label in app_labels:
            if (app_label, name) not in applied:
                raise BackupError(
                    f"The database lacks migration {app_label}.{name}: run manage.py migrate first."
                )
            latest[app_label] = name
    return dict(sorted(latest.items()))


def _foreign_keys(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


def _library_references(objects, backed_up: set, using) -> dict:
    """``{label: {pk: key}}`` for rows of the default library that the clinic's rows point at."""
    library = {apps.get_model(lib.model)._meta.label_lower: lib for lib in LIBRARY}
    references: dict[str, dict[str, str]] = {}
    for obj in objects:
        model = apps.get_model(obj["model"])
        for field in _foreign_keys(model):
            target = field.related_model
            value = obj["fields"].get(field.name)
            if value is None or hasattr(target, "natural_key"):  # named, not numbered
                continue
            label = target._meta.label_lower
            if (label, value) in backed_up:
                continue
            lib = library.get(label)
            row = (
                target._base_manager.using(using).filter(pk=value, clinic__isnull=True).first()
                if lib
                else None
            )
            if row is None:
                raise BackupError(
                    f"{obj['model']} #{obj['pk']} points at {label} #{value}, which belongs "
                    "neither to this clinic nor to the default library; correct that record first."
                )
            references.setdefault(label, {})[str(value)] = getattr(row, lib.key)
    return references


def make_backup(clinic, using=DEFAULT_DB_ALIAS) -> dict:
    """The clinic's backup as a JSON-ready document (read in one transaction: a consistent copy)."""
    connection = connections[using]
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=using):
        if snapshot:  # every query below sees the same moment, however busy the clinic is
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        objects = []
        for part in PARTS:
            objects += serializers.serialize(
                "python", part.rows(clinic.pk).using(using), use_natural_foreign_keys=True
            )
        # Through the encoder and back: the document holds only JSON types, as read from a file.
        objects = json.loads(json.dumps(objects, cls=_Encoder))
        backed_up = {(obj["model"], obj["pk"]) for obj in objects}
        document = {
            "format": FORMAT,
            "version": VERSION,
            "schema": schema(using),
            "created_at": timezone.now().isoformat(),
            "clinic": {"id": clinic.pk, "name": clinic.name},
            "counts": dict(Counter(obj["model"] for obj in objects)),
            "library": _library_references(objects, backed_up, using),
            "objects": objects,
        }
    return document


def dumps(document: dict) -> str:
    """The document as JSON text, one row a line (readable, and diffable between backups)."""
    header = {key: value for key, value in document.items() if key != "objects"}
    head = json.dumps(header, ensure_ascii=False, indent=1)[:-2]  # without the closing "\n}"
    rows = ",\n".join(json.dumps(obj, ensure_ascii=False) for obj in document["objects"])
    return f'{head},\n "objects": [\n{rows}\n]}}\n'


# Restoring


def parse(raw: bytes | str) -> dict:
    """The document in ``raw``, checked for shape; ``BackupError`` says what is wrong."""
    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        raise BackupError("The file is not UTF-8 text, so not a clinic backup.") from None
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"The file is not complete JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may be cut short."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f'The file is not a clinic backup (no "format": "{FORMAT}").')
    if document.get("version") != VERSION:
        raise BackupError(
            f"The file is a clinic backup of format version {document.get('version')!r}; "
            f"this version of the app reads version {VERSION}."
        )
    objects, counts, clinic = (document.get(k) for k in ("objects", "counts", "clinic"))
    if not (
        isinstance(objects, list)
        and all(
            isinstance(obj, dict)
            and isinstance(obj.get("model"), str)
            and isinstance(obj.get("fields"), dict)
            and isinstance(obj.get("pk"), int)
            for obj in objects
        )
        and isinstance(counts, dict)
        and isinstance(clinic, dict)
        and isinstance(document.get("schema"), dict)
        and isinstance(document.get("library"), dict)
    ):
        raise BackupError("The file is a clinic backup with a damaged header or rows.")
    known = {part.label for part in PARTS}
    unknown = sorted({obj["model"] for obj in objects} - known)
    if unknown:
        raise BackupError(f"The file holds rows of models this app does not back up: {unknown}.")
    found = dict(Counter(obj["model"] for obj in objects))
    if found != counts:
        missing = {
            label: f"{found.get(label, 0)} of {counts.get(label, 0)}"
            for label in sorted(set(found) | set(counts))
            if found.get(label, 0) != counts.get(label, 0)
        }
        raise BackupError(f"The file is incomplete or altered: rows found / announced: {missing}.")
    clinics = [obj for obj in objects if obj["model"] == "clinic.clinic"]
    if len(clinics) != 1 or clinics[0]["pk"] != clinic.get("id"):
        raise BackupError("The file does not hold exactly the one clinic its header names.")
    return document


def _taken(document: dict, using) -> list[str]:
    """Why the rows cannot go into this database as they are: ids or usernames already used."""
    problems = []
    clinic = document["clinic"]

    existing = Clinic.objects.using(using).filter(pk=clinic["id"]).first()
    if existing is not None:
        problems.append(f"This database already has clinic #{existing.pk} “{existing.name}”.")
    usernames = [
        obj["fields"]["username"] for obj in document["objects"] if obj["model"] == "clinic.user"
    ]
    taken = sorted(
        User.objects.using(using).filter(username__in=usernames).values_list("username", flat=True)
    )
    if taken:
        problems.append(f"These usernames are already taken here: {', '.join(taken)}.")
    used = []
    for part in PARTS:
        pks = [obj["pk"] for obj in document["objects"] if obj["model"] == part.label]
        count = part.model_class._base_manager.using(using).filter(pk__in=pks).count()
        if count:
            used.append(f"{count} of {len(pks)} {part.label}")
    if used:
        problems.append(
            f"Ids of the backup's rows are already used here: {', '.join(used)}. "
            "Restore into an empty database (manage.py migrate, nothing else)."
        )
    return problems


def _resolve_outside(document: dict, using) -> list[str]:
    """Point library references at this database's library; clear users not found here.

    Changes the document's rows in place and returns what was cleared, for the operator.
    """

    problems, mapping = [], {}
    for lib in LIBRARY:
        model = apps.get_model(lib.model)
        label = model._meta.label_lower
        for old_pk, key in document["library"].get(label, {}).items():
            row = model._base_manager.using(using).filter(clinic__isnull=True, **{lib.key: key})
            row = row.first()
            if row is None:
                problems.append(f"The default library here has no {label} “{key}”.")
            else:
                mapping[(label, int(old_pk))] = row.pk
    if problems:
        raise BackupError(*problems)

    user_label = User._meta.label_lower
    in_backup = {
        obj["fields"].get("username") for obj in document["objects"] if obj["model"] == user_label
    }
    outside = {
        name
        for obj in document["objects"]
        for field in _foreign_keys(apps.get_model(obj["model"]))
        if field.related_model is User and isinstance(value := obj["fields"].get(field.name), list)
        for name in value
        if name not in in_backup
    }
    present = set(
        User.objects.using(using).filter(username__in=outside).values_list("username", flat=True)
    )
    cleared: Counter = Counter()
    for obj in document["objects"]:
        model = apps.get_model(obj["model"])
        for field in _foreign_keys(model):
            value = obj["fields"].get(field.name)
            label = field.related_model._meta.label_lower
            if isinstance(value, int) and (label, value) in mapping:
                obj["fields"][field.name] = mapping[(label, value)]
            elif (
                field.related_model is User
                and isinstance(value, list)
                and value[0] not in in_backup | present
            ):
                obj["fields"][field.name] = None
                cleared[(value[0], obj["model"], field.name)] += 1
    return [
        f"{count} {model} rows named “{username}” as {field}, who is not a user here: cleared. "
        "(Create that user before restoring to keep the name.)"
        for (username, model, field), count in sorted(cleared.items())
    ]


def restore(document: dict, using=DEFAULT_DB_ALIAS) -> tuple[dict, list[str]]:
    """Write the backup's rows into this database, all or nothing.

    Returns the rows written per model and the warnings; raises ``BackupError`` and writes
    nothing when the backup does not fit this database.
    """
    here = schema(using)
    if document["schema"] != here:
        raise BackupError(
            f"The backup was made with database schema {document['schema']}, this database has "
            f"{here}. Restore it with the version of the app that made it, then upgrade."
        )
    connection = connections[using]
    models = [part.model_class for part in PARTS]
    try:
        with transaction.atomic(using=using):
            problems = _taken(document, using)
            if problems:
                raise BackupError(*problems)
            warnings = _resolve_outside(document, using)
            for item in serializers.deserialize(
                "python", document["objects"], using=using, handle_forward_references=False
            ):
                item.save(using=using)
            connection.check_constraints(table_names=[m._meta.db_table for m in models])
            # Rows came with their ids: move each table's id sequence past them (PostgreSQL),
            # or the next patient added would be given an id already in use.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
    except BackupError:
        raise
    except Exception as exc:  # a damaged row, or one that does not fit: nothing is kept
        raise BackupError(f"A row could not be restored ({type(exc).__name__}: {exc}).") from exc
    return dict(Counter(obj["model"] for obj in document["objects"])), warnings
