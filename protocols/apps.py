from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = _("Protocols and courses")

    def ready(self):
        from audit.registry import clinic_scope, register
        from clinic.services import BOOKED_COUNTERS
        from patients.models import patient_scope
        from protocols.models import Course, HandoutSection, ProtocolStep, ProtocolTemplate, Session
        from protocols.moving import booked_with

        register(Session, scope=lambda session: patient_scope(session.course))
        # The snapshot is written once, with the course, and its content is the template version's.
        register(Course, scope=patient_scope, exclude_fields=["template_snapshot", "warnings"])
        register(ProtocolTemplate, scope=clinic_scope)
        for model in (ProtocolStep, HandoutSection):
            register(model, scope=lambda row: (row.template.clinic_id, None))
        if booked_with not in BOOKED_COUNTERS:
            BOOKED_COUNTERS.append(booked_with)
