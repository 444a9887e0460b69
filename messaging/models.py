"""Messages to patients (the outbox) and the confirm/cancel links their reminders carry."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic
from core.tenancy import ClinicScopedQuerySet
from patients.models import Patient
from protocols.models import Course, Session


class Message(models.Model):
    """One message to one patient: queued, then sent or failed (with the error), never lost.

    The outbox keeps every message; a failed one can be retried by a clinic admin."""

    QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
    OBSOLETE = "obsolete"  # no longer true when it was to go out (the session moved, no consent)
    STATUS_CHOICES = [
        (QUEUED, _("queued")),
        (SENDING, _("sending")),
        (SENT, _("sent")),
        (FAILED, _("failed")),
        (OBSOLETE, _("not sent: out of date")),
    ]
    REMINDER, HANDOUT = "reminder", "handout"
    KIND_CHOICES = [(REMINDER, _("reminder")), (HANDOUT, _("handout"))]
    EMAIL, SMS = Patient.CONTACT_EMAIL, Patient.CONTACT_SMS
    CHANNEL_CHOICES = [(EMAIL, _("email")), (SMS, _("SMS"))]

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="messages", verbose_name=_("patient")
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    # The session's time the reminder speaks of: a reminder is sent only while it is still true.
    session_starts_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES)
    channel = models.CharField(_("by"), max_length=10, choices=CHANNEL_CHOICES)
    to = models.CharField(_("to"), max_length=254)
    language = models.CharField(max_length=5)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    error = models.CharField(_("error"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ClinicScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "-created_at"], name="message_clinic_time"),
            models.Index(fields=["status", "updated_at"], name="message_status_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to} ({self.status})"


class PatientLink(models.Model):
    """A confirm or cancel link of one reminder: single use, void at the session's start or
    once the session has moved to another time. Only a hash of its key is stored, and the sent
    message's copy of the links is blanked out once it has gone."""

    CONFIRM, CANCEL = "confirm", "cancel"
    ACTION_CHOICES = [(CONFIRM, _("confirm")), (CANCEL, _("cancel"))]

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="links")
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()  # the session's start when the link was made
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patient link")
        verbose_name_plural = _("patient links")

    def __str__(self):
        return f"{self.action} session {self.session_id}"
