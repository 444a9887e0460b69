"""Messages to patients: reminders the day before, the handout by email, the links they answer.

Every message is a row of the outbox first (``Message``), written in the transaction that decides
to send it, and handed to the worker after that transaction commits. Sending claims the row
(queued → sending) with one conditional update, so a task run twice (a retry, two workers)
sends at most once; the sweep turns a row left "sending" by a killed worker into "failed" for an
admin to look at, and hands on queued rows whose task was lost.

A reminder is decided once per session: a conditional update of ``Session.reminder_sent_at``
claims the session before the message is written, so two workers, or a run retried after a
crash, never remind twice. A move clears the mark (``protocols``), and the new time gets its own.
"""

import hashlib
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from audit.context import acting_as
from audit.models import AuditEntry
from audit.trail import log_rows, record_access
from clinic.models import Clinic
from documents import handouts, html, pdf
from messaging import sms
from messaging.models import Message, PatientLink
from patients.models import Patient
from protocols import booking
from protocols.models import Course, Session
from protocols.moving import record_attendance

log = logging.getLogger(__name__)

LINK_SALT = "messaging.patient-link"
SENDING_GIVEN_UP = timedelta(minutes=10)  # a row "sending" this long lost its worker
QUEUED_LOST = timedelta(minutes=5)  # a row "queued" this long lost its task
CANCEL_REASON = gettext_lazy("Cancelled by the patient with the reminder's link.")
PATIENT_ACTOR = "patient (reminder link)"
CHANGED = gettext_lazy(
    "This session has changed since the reminder was sent. Please call the clinic."
)


# --- Handing rows to the worker ------------------------------------------------------------


def _enqueue(message: Message) -> None:
    pk = message.pk
    transaction.on_commit(lambda: deliver_message(pk))


# --- Links ---------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_link(session: Session, action: str) -> str:
    """A signed token for ``action`` on ``session``: random, single use, void at the start.

    The token carries no patient data: a random key and its signature."""
    key = secrets.token_urlsafe(18)
    PatientLink.objects.create(
        session=session, action=action, key_hash=_hash(key), expires_at=session.starts_at
    )
    return signing.Signer(salt=LINK_SALT).sign(key)


def link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("patient_link", args=[token])


class LinkRefused(Exception):
    """A link that cannot be used (any more), with the patient-facing reason."""

    def __init__(self, message, link: PatientLink | None = None):
        super().__init__(message)
        self.message, self.link = message, link


def _link_for(token: str, *, lock: bool = False) -> PatientLink:
    try:
        key = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise LinkRefused(_("This link is not valid. Please call the clinic.")) from None
    links = PatientLink.objects.select_related("session__course__patient__clinic", "session__room")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(key_hash=_hash(key)).first()
    if link is None:
        raise LinkRefused(_("This link is not valid. Please call the clinic."))
    return link


def check_link(token: str, *, lock: bool = False) -> PatientLink:
    """The link of ``token`` if it may still be used; else ``LinkRefused`` saying why."""
    link = _link_for(token, lock=lock)
    session = link.session
    if link.used_at is not None:
        if link.action == PatientLink.CONFIRM:
            raise LinkRefused(_("You have already confirmed this session. Thank you."), link)
        raise LinkRefused(_("This session is already cancelled."), link)
    if timezone.now() >= link.expires_at:
        raise LinkRefused(_("This session has already started, so the link no longer works."), link)
    if session.starts_at != link.expires_at or session.status != Session.PLANNED:
        raise LinkRefused(
            str(CHANGED),
            link,
        )
    return link


def when(session: Session) -> dict:
    """The clinic, day and time of ``session`` as a patient reads them (active language); a
    session that has lost its time (re-planned without one) shows its day only."""
    clinic = session.course.patient.clinic
    day, clock = session.date, ""
    if session.starts_at is not None:
        local = session.starts_at.astimezone(booking.zone(clinic))
        day, clock = local.date(), time_format(local.time())
    return {
        "clinic": clinic,
        "weekday": date_format(day, "l"),
        "day": date_format(day, "DATE_FORMAT"),
        "time": clock,
    }


@dataclass(frozen=True)
class LinkUsed:
    action: str
    session: Session
    made_up: bool = False  # a cancellation: a session was added at the end of the course


def use_link(token: str, *, address: str | None) -> LinkUsed:
    """Confirm or cancel the link's session for the patient (no sign-in). A cancellation is
    recorded as cancelled by the patient and re-plans the rest of the course, as after a skip;
    both are on the audit trail, authored by the patient's link and its address."""
    with transaction.atomic(), acting_as(None, address, name=PATIENT_ACTOR):
        link = check_link(token, lock=True)
        session = link.session
        now = timezone.now()
        PatientLink.objects.filter(pk=link.pk).update(used_at=now)
        course = session.course
        made_up = False
        if link.action == PatientLink.CONFIRM:
            confirmed = Session.objects.filter(
                pk=session.pk, status=Session.PLANNED, starts_at=link.expires_at
            ).update(confirmed_at=now)
            if not confirmed:  # moved meanwhile: nothing to confirm, the link stays unused
                raise LinkRefused(
                    str(CHANGED),
                    link,
                )
            log_rows(
                [(session, AuditEntry.Action.UPDATE, {"confirmed_at": (None, now)})],
                clinic_id=course.patient.clinic_id,
                patient_id=course.patient_id,
            )
        else:
            with translation.override(course.patient.clinic.default_language):
                reason = str(CANCEL_REASON)
            outcome = record_attendance(
                session=session, user=None, status=Session.PATIENT_CANCELLED, reason=reason
            )
            made_up = outcome.made_up
        session.refresh_from_db()
    return LinkUsed(action=link.action, session=session, made_up=made_up)


# --- Reminders -----------------------------------------------------------------------------


def _reminder(session: Session, *, channel: str) -> tuple[str, str]:
    patient = session.course.patient
    with translation.override(patient.language):
        context = {
            **when(session),
            "patient": patient,
            "confirm_url": link_url(new_link(session, PatientLink.CONFIRM)),
            "cancel_url": link_url(new_link(session, PatientLink.CANCEL)),
        }
        subject = _("Reminder: your session at %(clinic)s on %(day)s at %(time)s") % {
            **context,
            "clinic": context["clinic"].name,
        }
        body = render_to_string(f"messaging/reminder_{channel}.txt", context)
    return subject, body.strip() + "\n"


LAST_CALL = timedelta(hours=2)  # no reminder for a session starting sooner than this
MORNING = time(7, 0)  # a reminder that missed its evening goes out from then, never at night


def due_reminders(clinic: Clinic, now: datetime):
    """The sessions of ``clinic`` to remind at ``now``, for patients who agreed to messages:
    tomorrow's (the clinic's day) once the clinic's reminder time has come, and today's that
    missed theirs (the worker was down, or the session was booked today) while they are at
    least ``LAST_CALL`` away."""
    local = now.astimezone(booking.zone(clinic))
    days = [local.date()] if local.time() >= MORNING else []
    if local.time() >= clinic.reminder_time:
        days.append(local.date() + timedelta(days=1))
    return (
        Session.objects.filter(
            course__patient__clinic=clinic,
            date__in=days,
            status=Session.PLANNED,
            starts_at__gte=now + LAST_CALL,
            reminder_sent_at__isnull=True,
            course__patient__archived=False,
            course__patient__contact_consent_on__isnull=False,
        )
        .exclude(course__patient__contact_preference=Patient.CONTACT_NONE)
        .select_related("course__patient__clinic", "room")
        .order_by("starts_at", "pk")
    )


def queue_reminders(now: datetime | None = None) -> int:
    """Write the reminder of every session due one (each claimed first, so exactly once)."""
    now = now or timezone.now()
    queued = 0
    for clinic in Clinic.objects.all():
        for session in due_reminders(clinic, now):
            patient = session.course.patient
            address = patient.message_address
            if not address:
                continue
            with transaction.atomic():
                claimed = Session.objects.filter(
                    pk=session.pk,
                    reminder_sent_at__isnull=True,
                    status=Session.PLANNED,
                    revision=session.revision,
                ).update(reminder_sent_at=now)
                if not claimed:  # another worker, or the session moved meanwhile
                    continue
                subject, body = _reminder(session, channel=patient.contact_preference)
                message = Message.objects.create(
                    clinic=clinic,
                    patient=patient,
                    session=session,
                    session_starts_at=session.starts_at,
                    course=session.course,
                    kind=Message.REMINDER,
                    channel=patient.contact_preference,
                    to=address,
                    language=patient.language,
                    subject=subject if patient.contact_preference == Message.EMAIL else "",
                    body=body,
                )
                _enqueue(message)
                queued += 1
    return queued


# --- The handout by email ------------------------------------------------------------------


def email_handout(*, course: Course, user) -> Message:
    """Queue the course's handout to the patient's email; the worker renders the PDF.

    Recorded as an access event of the handout by ``user``. Refused (``ValidationError``) when
    the patient agreed to no email or has no address."""
    patient = course.patient
    if patient.contact_preference != Patient.CONTACT_EMAIL or not patient.message_address:
        raise ValidationError(
            _(
                "%(patient)s has not agreed to email (or has no address): record their consent "
                "and address on the patient's page first."
            )
            % {"patient": patient}
        )
    with transaction.atomic(), translation.override(patient.language):
        message = Message.objects.create(
            clinic=patient.clinic,
            patient=patient,
            course=course,
            kind=Message.HANDOUT,
            channel=Message.EMAIL,
            to=patient.email,
            language=patient.language,
            subject=_("Your treatment plan from %(clinic)s") % {"clinic": patient.clinic.name},
            body=render_to_string(
                "messaging/handout_email.txt", {"patient": patient, "clinic": patient.clinic}
            ).strip()
            + "\n",
            created_by=user,
        )
        record_access([course], "handout by email")
        _enqueue(message)
    return message


def _handout_pdf(message: Message) -> bytes:

    course = Course.objects.select_related("patient__clinic", "therapist").get(pk=message.course_id)

    prefetch_related_objects([course], *handouts.document_prefetches())
    return pdf.render_document(html.handout_html(course))


# --- Sending -------------------------------------------------------------------------------


class NotSent(Exception):
    """The message could not be handed to a mail or SMS service (the outbox shows why)."""


def _send(message: Message) -> None:
    if message.channel == Message.SMS:
        try:
            sms.send(message.to, message.body)
        except sms.NoBackend:
            raise NotSent(
                _("No SMS service is set up (SMS_BACKEND), so nothing was sent.")
            ) from None
        return
    if not settings.MAIL_CONFIGURED:
        raise NotSent(_("No mail server is set up (EMAIL_URL), so nothing was sent."))
    email = mail.EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Content-Language": message.language},
    )
    if message.kind == Message.HANDOUT:
        with translation.override(message.language):
            filename = _("treatment-plan") + ".pdf"
        email.attach(filename, _handout_pdf(message), "application/pdf")
    email.send()


MAX_ATTEMPTS = 3  # tries of a message whose mail server or SMS service was unreachable
TRANSIENT = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
LINK_TEXT = re.compile(r"\S+/r/\S+/")


def out_of_date(message: Message, now: datetime | None = None) -> str:
    """Why ``message`` should no longer go out ("" when it still should): the patient withdrew
    consent or changed address; a reminder's session moved, was cancelled or is about to start."""
    patient = Patient.objects.get(pk=message.patient_id)
    if patient.message_address != message.to or patient.contact_preference != message.channel:
        return _("The patient's consent or address changed since it was queued.")
    if message.kind != Message.REMINDER:
        return ""
    session = Session.objects.filter(pk=message.session_id).only("status", "starts_at").first()
    if session is None or session.status != Session.PLANNED:
        return _("The session is no longer planned.")
    if session.starts_at != message.session_starts_at:
        return _("The session moved to another time; its new time gets its own reminder.")
    if session.starts_at < (now or timezone.now()) + LAST_CALL:
        return _("The session starts too soon for a reminder.")
    return ""


def deliver(message_id: int) -> bool:
    """Send one queued message if it is still true; True when this call sent it. Safe to run
    twice: the row is claimed (queued → sending) before anything is sent. An unreachable server
    puts it back in the queue for the sweep (at most ``MAX_ATTEMPTS`` tries); any other error
    fails it with the service's words for the admin."""
    claimed = Message.objects.filter(pk=message_id, status=Message.QUEUED).update(
        status=Message.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return False
    message = Message.objects.get(pk=message_id)
    stale = out_of_date(message)
    if stale:
        _finish(message_id, Message.OBSOLETE, error=stale, body=LINK_TEXT.sub("[…]", message.body))
        return False
    try:
        _send(message)
    except NotSent as refused:
        _finish(message_id, Message.FAILED, error=str(refused))
        return False
    except Exception as failed:  # the service's own words, for the admin who retries
        log.warning("Message %s failed: %s", message_id, failed)
        with translation.override(settings.LANGUAGE_CODE):
            error = (_("Sending failed: %(error)s") % {"error": failed})[:500]
        again = isinstance(failed, TRANSIENT) and message.attempts < MAX_ATTEMPTS
        _finish(message_id, Message.QUEUED if again else Message.FAILED, error=error)
        return False
    # The links work from the patient's copy; the outbox's copy keeps none.
    _finish(
        message_id,
        Message.SENT,
        sent_at=timezone.now(),
        error="",
        body=LINK_TEXT.sub("[…]", message.body),
    )
    return True


def _finish(message_id: int, status: str, **fields) -> None:
    Message.objects.filter(pk=message_id).update(status=status, updated_at=timezone.now(), **fields)


def retry(*, message: Message) -> None:
    """Queue a failed message again (a clinic admin's retry), if it is still true."""
    stale = out_of_date(message)
    if stale:
        Message.objects.filter(pk=message.pk, status=Message.FAILED).update(
            status=Message.OBSOLETE,
            error=stale,
            body=LINK_TEXT.sub("[…]", message.body),
            updated_at=timezone.now(),
        )
        raise ValidationError(_("Not sent again: %(reason)s") % {"reason": stale})
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, status=Message.FAILED).update(
            status=Message.QUEUED, error="", attempts=0, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("Only a failed message can be sent again."))
        _enqueue(message)


def sweep(now: datetime | None = None) -> dict:
    """Hand on queued messages whose task was lost; mark as failed those a killed worker left
    "sending" (they may or may not have gone out: the admin decides whether to retry)."""
    now = now or timezone.now()
    interrupted = Message.objects.filter(
        status=Message.SENDING, updated_at__lt=now - SENDING_GIVEN_UP
    ).update(
        status=Message.FAILED,
        updated_at=now,
        error=_("Sending was interrupted; the message may not have arrived. Retry it if needed."),
    )
    lost = list(
        Message.objects.filter(status=Message.QUEUED, updated_at__lt=now - QUEUED_LOST).values_list(
            "pk", flat=True
        )[:500]
    )
    Message.objects.filter(pk__in=lost).update(updated_at=now)
    for pk in lost:
        _enqueue(Message(pk=pk))
    return {"interrupted": interrupted, "handed_on": len(lost)}


# --- The worker's tasks (messaging/tasks.py lists them for Huey's consumer) ------------------


@db_task()
def deliver_message(message_id: int) -> None:
    deliver(message_id)


# No lock_task: a lock left by a killed worker would stop every later run, and each session is
# claimed by its own conditional update anyway.
@db_periodic_task(crontab(minute="*/5"))
def queue_reminders_task() -> None:
    queue_reminders()


@db_periodic_task(crontab(minute="*/5"))
def sweep_messages() -> None:
    sweep()
