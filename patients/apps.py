from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self):
        from audit.registry import clinic_scope, register
        from patients.models import (
            Condition,
            ContraindicationKind,
            Exacerbation,
            Patient,
            PatientContraindication,
            patient_scope,
        )

        register(Patient, scope=lambda patient: (patient.clinic_id, patient.pk))
        for model in (Condition, Exacerbation, PatientContraindication):
            register(model, scope=patient_scope)
        register(ContraindicationKind, scope=clinic_scope)
