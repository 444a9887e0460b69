from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clinic.admin import ClinicScopedAdminMixin, ClinicScopedInlineMixin, ClinicUniqueForm
from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)


class ConditionInline(ClinicScopedInlineMixin, admin.StackedInline):
    model = Condition
    extra = 0
    fields = [
        ("kind", "side"),
        ("stage", "kl_grade", "knee_tender"),
        ("joint", "surgery_date"),
        "note",
    ]


class ExacerbationInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = Exacerbation
    extra = 0
    fields = ["condition", "start", "end", "note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        patient_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "condition" and patient_id:
            field.queryset = field.queryset.filter(patient_id=patient_id)
        return field


class PatientContraindicationInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = PatientContraindication
    extra = 0
    fields = ["kind", "start", "end", "note"]


@admin.register(Patient)
class PatientAdmin(ClinicScopedAdminMixin, admin.ModelAdmin):
    clinic_owned = True
    list_display = ["last_name", "first_name", "birth_date", "phone", "archived"]
    list_filter = ["archived", "conditions__kind"]
    search_fields = ["last_name", "first_name", "phone", "email"]
    inlines = [ConditionInline, ExacerbationInline, PatientContraindicationInline]

    def has_delete_permission(self, request, obj=None):
        return False  # patients are archived, never deleted


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
    ]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.patient_periods.exists():
            return False  # recorded for patients: rename it instead
        return super().has_delete_permission(request, obj)
