from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


class ContraindicationKindForm(forms.ModelForm):
    clinic_id = None  # set per request by ``ContraindicationKindAdmin.get_form``

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

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code")
        clinic = cleaned.get("clinic") if "clinic" in self.fields else None
        clinic_id = clinic.pk if clinic else (self.instance.clinic_id or self.clinic_id)
        clash = ContraindicationKind.objects.filter(clinic_id=clinic_id, code=code)
        if code and clash.exclude(pk=self.instance.pk).exists():
            self.add_error(
                "code",
                _("Another contraindication of this clinic already has the code “%(code)s”.")
                % {"code": code},
            )
        return cleaned


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

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else [f for f in fields if f != "clinic"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"clinic_id": request.user.clinic_id})

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.patient_periods.exists():
            return False  # recorded for patients: rename it instead
        return super().has_delete_permission(request, obj)
