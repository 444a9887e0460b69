from django.contrib import admin

from clinic.admin import ClinicScopedAdminMixin, ClinicScopedInlineMixin
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


@admin.register(ContraindicationKind)
class ContraindicationKindAdmin(ClinicScopedAdminMixin, admin.ModelAdmin):
    clinic_owned = True
    list_display = ["name", "code", "severity"]
    list_filter = ["severity"]
    search_fields = ["name", "code"]
