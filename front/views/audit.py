"""A patient's audit trail, for the clinic's admins: read-only, newest first."""

import re
from datetime import date, datetime

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import AuditEntry
from front.decorators import clinic_member_required
from patients.selectors import get_patient_for_user

PAGE_SIZE = 50

# Columns every entry of a patient's trail already says (whose record it is).
_IMPLIED = {"patient", "course", "clinic", "id"}

DOCUMENTS = {
    "handout": gettext_lazy("Opened the handout"),
    "sheet": gettext_lazy("Opened the session sheet"),
    "calendar": gettext_lazy("Downloaded the calendar file"),
    "day sheets": gettext_lazy("Opened the day's session sheets"),
    "fhir": gettext_lazy("Exported the record (FHIR)"),
}

PAGES = {
    "patient": gettext_lazy("Viewed the patient's record"),
    "contact card": gettext_lazy("Viewed the patient's contact card"),
    "course": gettext_lazy("Viewed the course"),
    "record form": gettext_lazy("Opened the form to record a session"),
    "admin": gettext_lazy("Viewed the record in the admin"),
}

ACTIONS = {
    AuditEntry.Action.CREATE: gettext_lazy("Created"),
    AuditEntry.Action.UPDATE: gettext_lazy("Changed"),
    AuditEntry.Action.DELETE: gettext_lazy("Deleted"),
    AuditEntry.Action.ACCESS: gettext_lazy("Opened"),
}


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# What a related manager's value looks like in a stored change ("protocols.Course.None"): not
# something a reader can use.
MANAGER_VALUE = re.compile(r"^\w+\.\w+\.None$")


def _people_dates(text: str) -> str:
    """ISO dates in a stored record name ("Session #3 2026-12-05") as people write them."""

    def human(match):
        try:
            return date_format(date.fromisoformat(match.group(0)), "SHORT_DATE_FORMAT")
        except ValueError:
            return match.group(0)

    return ISO_DATE.sub(human, text)


def _shown(value: str, field, related: dict) -> str:
    if value in ("None", ""):
        return "—"
    if field is None:
        return value
    if field.is_relation:
        return related.get((field.related_model, value), value)
    if field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return str(labels.get(value, value))
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return _("yes") if value == "True" else _("no")
    try:
        if kind == "DateTimeField":
            moment = datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "SHORT_DATETIME_FORMAT")
        if kind == "DateField":
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        pass
    return value


def _changes(entries) -> None:
    """Give each entry ``rows``: (field label, old, new), with related records named."""
    wanted: dict = {}
    for entry in entries:
        model = entry.content_type.model_class()
        entry.fields = []
        for name, pair in (entry.changes_dict or {}).items():
            if name in _IMPLIED or not isinstance(pair, (list, tuple)) or len(pair) != 2:
                continue
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            if field is not None and not field.concrete:
                continue  # a reverse relation: its value is a manager's name, not a change
            if field is None and all(MANAGER_VALUE.match(str(v)) or v == "None" for v in pair):
                continue
            entry.fields.append((name, field, [str(v) for v in pair]))
            if field is not None and field.is_relation:
                wanted.setdefault(field.related_model, set()).update(
                    v for v in pair if str(v).isdigit()
                )
    related = {}
    for model, pks in wanted.items():
        for obj in model._base_manager.filter(pk__in=pks):
            related[(model, str(obj.pk))] = str(obj)
    for entry in entries:
        entry.rows = [
            (
                field.verbose_name if field is not None else name,
                _shown(old, field, related),
                _shown(new, field, related),
            )
            for name, field, (old, new) in entry.fields
        ]
        model = entry.content_type.model_class()
        entry.kind = model._meta.verbose_name if model else entry.content_type.model
        entry.kinds = model._meta.verbose_name_plural if model else entry.content_type.model
        entry.name = _people_dates(entry.object_repr)
        if entry.action == AuditEntry.Action.ACCESS:
            data = entry.additional_data or {}
            entry.summary = DOCUMENTS.get(
                data.get("document"), PAGES.get(data.get("page"), ACTIONS[entry.action])
            )
        else:
            entry.summary = ACTIONS.get(entry.action, "")


def _same_batch(entry, previous) -> bool:
    """Whether ``entry`` was created with ``previous`` in one step (a course's sessions)."""
    return (
        entry.action == previous.action == AuditEntry.Action.CREATE
        and entry.content_type_id == previous.content_type_id
        and entry.actor_id == previous.actor_id
        and abs((entry.timestamp - previous.timestamp).total_seconds()) < 60
    )


def _grouped(entries) -> list[dict]:
    """The page's entries, the records created together in one step as one group ("15 sessions
    created"), each group listing its records; any other entry a group of one."""
    groups: list[dict] = []
    for entry in entries:
        if groups and _same_batch(entry, groups[-1]["entries"][-1]):
            groups[-1]["entries"].append(entry)
        else:
            groups.append({"entry": entry, "entries": [entry]})
    for group in groups:
        count = len(group["entries"])
        if count > 1:
            entry = group["entry"]
            if entry.content_type.model == "session":
                text = ngettext("%(count)d session created", "%(count)d sessions created", count)
            else:
                text = ngettext("%(count)d record created", "%(count)d records created", count)
            group["summary"] = text % {"count": count}
            group["entries"].sort(key=lambda e: e.pk)
    return groups


@clinic_member_required
@permission_required("audit.view_auditentry", raise_exception=True)
def patient_trail(request, pk):
    patient = get_patient_for_user(request.user, pk)
    entries = (
        AuditEntry.objects.filter(patient=patient, clinic_id=patient.clinic_id)
        .select_related("content_type")
        .order_by("-timestamp", "-pk")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    _changes(page.object_list)
    return render(
        request,
        "audit/patient_trail.html",
        {"patient": patient, "page": page, "groups": _grouped(page.object_list)},
    )
