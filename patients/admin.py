"""Patients and the contraindication list in the admin.

Every write of clinical data here goes through the services the workspace uses: a period saved
in the patient page holds the courses it reaches (``save_period``), archiving refuses a patient
with a running course (``archive_patient``), and a contraindication kind that starts to block holds
the courses of the patients who have it. Therapists only read here: they keep records in the
workspace (see ``clinic/roles.py``).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clinic.admin import (
    ClinicScopedAdminMixin,
    ClinicScopedInlineMixin,
    ClinicUniqueForm,
    RecordViewsAdminMixin,
)
from clinic.roles import PATIENT_FACTS
from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)

# The period inlines and the archive action write through the same services as the workspace,
# and those live with the courses they change (an import-linter contract allows exactly this).
from protocols.services import archive_patient, save_period


def _held_messages(model_admin, request, held, *, name_patient=False):
    for course in held:
        values = {
            "course": course.name,
            "reason": course.hold_reason,
            "patient": course.patient,
        }
        if name_patient:
            text = gettext(
                "The remaining sessions of “%(course)s” of %(patient)s are on hold: %(reason)s."
            )
        else:
            text = gettext("The remaining sessions of “%(course)s” are on hold: %(reason)s.")
        model_admin.message_user(request, text % values, messages.WARNING)


class FactInlineMixin(ClinicScopedInlineMixin):
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False  # a fact stays on the record, as in the workspace: a period is ended instead


class ConditionInline(FactInlineMixin, admin.StackedInline):
    model = Condition
    fields = [
        ("kind", "side"),
        ("stage", "kl_grade", "knee_tender"),
        ("joint", "surgery_date"),
        "note",
    ]


class ExacerbationInline(FactInlineMixin, admin.TabularInline):
    model = Exacerbation
    fields = ["condition", "start", "end", "note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "condition":
            # This patient's conditions; a patient being added has none yet (not another's).
            patient_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = field.queryset.filter(patient_id=patient_id)
        return field


class PatientContraindicationInline(FactInlineMixin, admin.TabularInline):
    model = PatientContraindication
    fields = ["kind", "start", "end", "note"]


@admin.register(Patient)
class PatientAdmin(RecordViewsAdminMixin, ClinicScopedAdminMixin, admin.ModelAdmin):
    clinic_owned = True
    list_display = ["last_name", "first_name", "birth_date", "phone", "archived"]
    list_filter = ["archived", "conditions__kind"]
    search_fields = ["last_name", "first_name", "phone", "email"]
    inlines = [ConditionInline, ExacerbationInline, PatientContraindicationInline]
    readonly_fields = ["archived"]  # changed by the actions, which check for a running course
    actions = ["archive", "restore"]

    # change_patient and add_patient are the workspace's permissions, which every therapist holds;
    # writing a record here also takes the permissions on its facts, which only the admin asks
    # for (clinic admins hold them).
    def _writes_records(self, request):
        return request.user.has_perms([f"patients.change_{model}" for model in PATIENT_FACTS])

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._writes_records(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writes_records(request)

    def has_delete_permission(self, request, obj=None):
        return False  # patients are archived, never deleted

    def save_formset(self, request, form, formset, change):
        if formset.model not in (Exacerbation, PatientContraindication):
            super().save_formset(request, form, formset, change)
            return
        held = []
        for period in formset.save(commit=False):
            held += save_period(period)  # R6, R7, R9: the courses it reaches go on hold
        _held_messages(self, request, held)

    @admin.action(description=_("Archive the selected patients"), permissions=["change"])
    def archive(self, request, queryset):
        patients = list(queryset.filter(archived=False))
        refused = []
        with transaction.atomic():  # all the selected patients, or none
            for patient in patients:
                try:
                    archive_patient(patient=patient)
                except ValidationError as error:
                    refused.append((patient, error))
            if refused:
                transaction.set_rollback(True)
        for patient, error in refused:
            self.message_user(request, f"{patient}: {' '.join(error.messages)}", messages.ERROR)
        if refused and len(patients) > len(refused):
            self.message_user(
                request,
                gettext(
                    "Nothing was changed: the other selected patients are not archived either."
                ),
                messages.ERROR,
            )
        if not refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d patient archived; the history is kept.",
                    "%(count)d patients archived; the history is kept.",
                    len(patients),
                )
                % {"count": len(patients)},
                messages.SUCCESS,
            )

    @admin.action(description=_("Restore the selected patients"), permissions=["change"])
    def restore(self, request, queryset):
        patients = list(queryset.filter(archived=True))
        with transaction.atomic():
            for patient in patients:
                archive_patient(patient=patient, archived=False)
        self.message_user(
            request,
            ngettext("%(count)d patient restored.", "%(count)d patients restored.", len(patients))
            % {"count": len(patients)},
            messages.SUCCESS,
        )


class ContraindicationKindForm(ClinicUniqueForm):
    unique_field = "code"
    unique_message = _("Another contraindication of this clinic already has the code “%(value)s”.")

    class Meta:
        model = ContraindicationKind
        fields = [
            "clinic",
            "code",
            "severity",
            "name",
            "name_ru",
            "patient_text",
            "patient_text_ru",
            "staff_text",
            "staff_text_ru",
        ]


@admin.register(ContraindicationKind)
class ContraindicationKindAdmin(ClinicScopedAdminMixin, admin.ModelAdmin):
    clinic_owned = True
    form = ContraindicationKindForm
    list_display = ["name", "name_ru", "code", "severity"]
    list_filter = ["severity"]
    search_fields = ["name", "name_ru", "code"]
    fields = [
        "clinic",
        ("code", "severity"),
        ("name", "name_ru"),
        ("patient_text", "patient_text_ru"),
        ("staff_text", "staff_text_ru"),
    ]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.patient_periods.exists():
            return False  # recorded for patients: rename it instead
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "severity" in form.changed_data and obj.severity == obj.BLOCKS:
            # Now it blocks massage (R9): the courses of the patients who have it, from today on,
            # go on hold as if the period had just been recorded.
            current = obj.patient_periods.filter(
                Q(end__isnull=True) | Q(end__gte=timezone.localdate())
            ).select_related("patient", "kind")
            held = []
            for period in current:
                held += save_period(period)
            _held_messages(self, request, held, name_patient=True)
