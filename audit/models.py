"""The audit trail's one table: django-auditlog's entry plus the clinic and patient it concerns.

The two extra columns are what make "everything that happened to this patient" one indexed query,
and keep each clinic's entries to itself. They are filled in by ``audit.trail`` when an entry is
written; nothing edits an entry afterwards.
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.context import author
from audit.registry import scope_of


class AuditEntryManager(LogEntryManager):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        clinic_id, patient_id = scope_of(instance)
        defaults = {"clinic_id": clinic_id, "patient_id": patient_id, **author()}
        for name, value in defaults.items():
            kwargs.setdefault(name, value)
        return super().log_create(instance, force_log=force_log, **kwargs)


class AuditEntry(AbstractLogEntry):
    clinic = models.ForeignKey(
        "clinic.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("clinic"),
    )
    # No database constraint: the trail outlives whatever it is about.
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("patient"),
    )
    actor_name = models.CharField(_("who"), max_length=300, blank=True)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["patient", "-timestamp"], name="audit_patient_time"),
            models.Index(fields=["clinic", "-timestamp"], name="audit_clinic_time"),
            # Failed sign-ins by address (the per-address throttle): entries without an author.
            models.Index(
                fields=["remote_addr", "timestamp"],
                condition=models.Q(actor__isnull=True),
                name="audit_anonymous_address_time",
            ),
        ]
