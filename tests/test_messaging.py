"""Messages to patients: consent, the reminder the day before, its confirm and cancel links,
the handout by email and the outbox, as the clinic and its patients see them."""

import html
import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from clinic.models import RECEPTION, Clinic
from messaging import services
from messaging.models import Message, PatientLink
from patients.models import Patient
from planner.schedule import parse_time
from protocols import booking
from protocols.models import Session
from protocols.services import create_course
from tests.factories import PatientContraindicationFactory, UserFactory
from tests.workspace import classic, give_hours, knee_patient, next_working_day, today

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^\s]+/r/[^\s]+/")


@pytest.fixture(autouse=True)
def mail_server(settings):
    """As if EMAIL_URL named a mail server (the test settings name none); pytest-django keeps the
    mail in ``mail.outbox``."""
    settings.MAIL_CONFIGURED = True


def consenting(clinic, *, channel="email", language="en", **kwargs):
    return knee_patient(
        clinic,
        first_name=kwargs.pop("first_name", "Maria"),
        last_name=kwargs.pop("last_name", "Petrova"),
        email=kwargs.pop("email", "maria@example.org"),
        phone="+7 900 123 45 67",
        language=language,
        contact_preference=channel,
        contact_consent_on=today() - timedelta(days=3),
        contact_consent_source="signed",
        **kwargs,
    )


def timed_course(patient, therapist):
    start = next_working_day(today() + timedelta(days=2), patient.clinic)
    return create_course(
        patient=patient,
        template=classic(patient.clinic),
        start=start,
        cadence_days=2,
        therapist=therapist,
        preferred_time=parse_time("10:30"),
    )


@pytest.fixture
def hours(therapist_a):
    give_hours(therapist_a)


def first(course) -> Session:
    return course.sessions.order_by("number").first()


def evening_before(session, minute=18 * 60 + 5):
    return booking.aware(session.course.patient.clinic, session.date - timedelta(days=1), minute)


def remind(session, capture, minute=18 * 60 + 5) -> int:
    with capture(execute=True):
        return services.queue_reminders(now=evening_before(session, minute))


def links_of(message) -> dict:
    found = LINK.findall(message.body)
    return {"confirm": found[0], "cancel": found[1]}


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- Consent --------------------------------------------------------------------------------


def test_messages_need_the_patients_consent_with_its_date_and_source(signed_in, patient_a):
    data = {
        "first_name": "Olga",
        "last_name": "Petrova",
        "language": "en",
        "email": "olga@example.org",
        "contact_preference": "email",
    }
    page = signed_in.post(reverse("patients:edit", args=[patient_a.pk]), data)

    text = html.unescape(page.content.decode())
    assert "give the date they agreed" in text and "how the patient gave their consent" in text
    patient_a.refresh_from_db()
    assert patient_a.contact_preference == "none"

    data |= {"contact_consent_on": today().isoformat(), "contact_consent_source": "signed"}
    assert signed_in.post(reverse("patients:edit", args=[patient_a.pk]), data).status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.message_address == "olga@example.org"


def test_an_sms_preference_needs_a_phone_number(signed_in, patient_a):
    data = {
        "first_name": "Olga",
        "last_name": "Petrova",
        "language": "en",
        "contact_preference": "sms",
        "contact_consent_on": today().isoformat(),
        "contact_consent_source": "verbal",
    }
    page = signed_in.post(reverse("patients:edit", args=[patient_a.pk]), data)

    assert "Give the mobile number" in html.unescape(page.content.decode())


# --- Reminders ------------------------------------------------------------------------------


def test_the_reminder_goes_the_evening_before_with_the_time_place_advice_and_two_links(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    course = timed_course(consenting(clinic_a), therapist_a)
    session = first(course)

    assert remind(session, django_capture_on_commit_callbacks, minute=17 * 60 + 55) == 0
    assert mail.outbox == []
    assert remind(session, django_capture_on_commit_callbacks) == 1

    (email,) = mail.outbox
    assert email.to == ["maria@example.org"]
    assert email.subject.startswith(f"Reminder: your session at {clinic_a.name}")
    assert "10:30" in email.subject and "10:30" in email.body
    assert clinic_a.address in email.body
    assert "fever, bleeding or a new swelling" in email.body and clinic_a.phone in email.body
    assert "comfortable clothes" in email.body
    links = links_of(email)
    assert links["confirm"] != links["cancel"]
    for url in links.values():  # no patient data in the address
        assert "Petrova" not in url and "Maria" not in url and "maria" not in url
    session.refresh_from_db()
    assert session.reminder_sent_at is not None
    assert Message.objects.get().status == Message.SENT


def test_each_session_is_reminded_once_however_often_the_task_runs(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))

    remind(session, django_capture_on_commit_callbacks)
    remind(session, django_capture_on_commit_callbacks, minute=20 * 60)
    remind(session, django_capture_on_commit_callbacks, minute=23 * 60)

    assert len(mail.outbox) == 1
    assert Message.objects.count() == 1


def test_no_message_goes_without_consent_or_to_an_archived_patient(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    no_date = knee_patient(clinic_a, email="no@example.org", contact_preference="email")
    said_none = consenting(clinic_a, last_name="Nikolaeva", email="none@example.org")
    archived = consenting(clinic_a, last_name="Arkhipova", email="old@example.org")
    sessions = [first(timed_course(p, therapist_a)) for p in (no_date, said_none, archived)]
    Patient.objects.filter(pk=said_none.pk).update(contact_preference="none")
    Patient.objects.filter(pk=archived.pk).update(archived=True)

    for session in sessions:
        remind(session, django_capture_on_commit_callbacks)

    assert mail.outbox == [] and not Message.objects.exists()


def test_a_reminder_follows_the_clinics_own_day_not_utcs(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    # 18:05 in Los Angeles is already the next day in UTC: the reminder is still for tomorrow's
    # session in Los Angeles, and none goes at 17:55 there.
    Clinic.objects.filter(pk=clinic_a.pk).update(time_zone="America/Los_Angeles")
    clinic_a.refresh_from_db()
    session = first(timed_course(consenting(clinic_a), therapist_a))
    assert session.starts_at.astimezone(booking.zone(clinic_a)).strftime("%H:%M") == "10:30"

    assert remind(session, django_capture_on_commit_callbacks, minute=17 * 60 + 55) == 0
    assert evening_before(session).astimezone(UTC).date() == session.date
    assert remind(session, django_capture_on_commit_callbacks) == 1
    assert "10:30" in mail.outbox[0].subject


def test_a_session_that_missed_its_evening_is_reminded_that_morning_not_at_night(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))

    at = lambda minute: booking.aware(clinic_a, session.date, minute)  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_reminders(now=at(60)) == 0  # 01:00: not at night
        assert services.queue_reminders(now=at(7 * 60 + 30)) == 1  # 07:30, 3 hours before
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_session_starting_within_two_hours(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_reminders(now=booking.aware(clinic_a, session.date, 9 * 60))
    assert mail.outbox == []


def test_a_sent_reminders_copy_in_the_outbox_keeps_no_working_link(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)

    assert len(LINK.findall(mail.outbox[0].body)) == 2
    assert "/r/" not in Message.objects.get().body


def test_an_unreachable_mail_server_is_tried_again_then_the_message_fails(
    clinic_a, therapist_a, hours, monkeypatch, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(mail.EmailMessage, "send", refused)
    remind(session, django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert (message.status, message.attempts) == (Message.QUEUED, 1)
    assert "Connection refused" in message.error

    for _try in range(services.MAX_ATTEMPTS - 1):
        Message.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
        with django_capture_on_commit_callbacks(execute=True):
            services.sweep()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.FAILED, services.MAX_ATTEMPTS)


def test_a_russian_patient_gets_the_reminder_in_russian(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a, language="ru"), therapist_a))

    remind(session, django_capture_on_commit_callbacks)

    (email,) = mail.outbox
    assert email.subject.startswith("Напоминание")
    assert "температур" in email.body and "10:30" in email.body
    assert email.extra_headers["Content-Language"] == "ru"


def test_a_text_message_reminder_goes_through_the_sms_backend(
    clinic_a, therapist_a, hours, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "messaging.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path)
    session = first(timed_course(consenting(clinic_a, channel="sms"), therapist_a))

    remind(session, django_capture_on_commit_callbacks)

    (sent,) = list(Path(tmp_path).iterdir())
    text = sent.read_text()
    assert "To: +7 900 123 45 67" in text and "10:30" in text and len(LINK.findall(text)) == 2
    assert mail.outbox == []


def test_without_an_sms_backend_nothing_pretends_to_be_sent(
    clinic_a, therapist_a, hours, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = ""
    session = first(timed_course(consenting(clinic_a, channel="sms"), therapist_a))

    remind(session, django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert message.status == Message.FAILED
    assert "No SMS service is set up" in message.error


def test_without_a_mail_server_the_message_fails_and_says_why(
    clinic_a, therapist_a, hours, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_CONFIGURED = False
    session = first(timed_course(consenting(clinic_a), therapist_a))

    remind(session, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert "No mail server is set up" in Message.objects.get().error


# --- The links ------------------------------------------------------------------------------


def test_the_confirm_link_shows_only_the_clinic_day_and_time_and_confirms_on_its_button(
    client, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    url = path_of(links_of(mail.outbox[0])["confirm"])

    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert clinic_a.name in text and "10:30" in text and "Yes, I will come" in text
    assert "Petrova" not in text and "Maria" not in text and "arthrosis" not in text.lower()
    session.refresh_from_db()
    assert session.confirmed_at is None  # opening the link changes nothing

    done = client.post(url)
    assert "your session is confirmed" in done.content.decode()
    session.refresh_from_db()
    assert session.confirmed_at is not None
    entry = AuditEntry.objects.get(object_pk=str(session.pk), actor_name=services.PATIENT_ACTOR)
    assert entry.actor is None and "confirmed_at" in entry.changes

    again = client.post(url)
    assert again.status_code == 410 and "already confirmed" in again.content.decode()

    client.force_login(therapist_a)
    day = client.get(reverse("home"), {"date": session.date.isoformat()}).content.decode()
    assert f'id="session-{session.pk}"' in day
    block = day.split(f'id="session-{session.pk}"')[1].split("</article>")[0]
    assert "confirmed-tick" in block


def test_the_cancel_link_cancels_for_the_patient_and_replans_the_rest(
    client, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    course = timed_course(consenting(clinic_a), therapist_a)
    session = first(course)
    before = course.sessions.count()
    remind(session, django_capture_on_commit_callbacks)
    links = links_of(mail.outbox[0])

    done = client.post(path_of(links["cancel"]))

    assert "Your session is cancelled" in done.content.decode()
    session.refresh_from_db()
    assert session.status == Session.PATIENT_CANCELLED
    assert "reminder" in session.skip_reason
    assert course.sessions.count() == before + 1  # made up at the end, as after a skip
    entry = AuditEntry.objects.get(object_pk=str(session.pk), actor_name=services.PATIENT_ACTOR)
    assert entry.actor is None and entry.remote_addr == "127.0.0.1"
    assert entry.changes["status"] == ["planned", "patient_cancelled"]
    # the confirm link of the same reminder no longer works
    assert client.post(path_of(links["confirm"])).status_code == 410

    client.force_login(therapist_a)
    day = client.get(reverse("home"), {"date": session.date.isoformat()}).content.decode()
    missed = html.unescape(day).split("No-shows and cancellations")[1].split("</section>")[0]
    assert "Petrova Maria" in missed and "cancelled by the patient" in missed


def test_a_cancellation_that_cannot_be_made_up_does_not_promise_a_new_session(
    client, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    course = timed_course(consenting(clinic_a), therapist_a)
    session = first(course)
    before = course.sessions.count()
    remind(session, django_capture_on_commit_callbacks)
    links = links_of(mail.outbox[0])
    # A fever recorded for the next year, straight into the table (as an import would): no
    # date is left to make the session up, so the planner refuses the make-up.
    PatientContraindicationFactory(
        patient=course.patient, start=session.date, end=session.date + timedelta(days=365)
    )

    done = html.unescape(client.post(path_of(links["cancel"])).content.decode())

    assert "Your session is cancelled" in done
    assert "The clinic will call you about the rest of your course" in done
    assert "add a session" not in done
    session.refresh_from_db()
    assert session.status == Session.PATIENT_CANCELLED
    assert course.sessions.count() == before  # nothing added


def test_the_link_page_speaks_the_patients_language(
    client, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a, language="ru"), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    links = links_of(mail.outbox[0])

    assert "Вы придёте на этот сеанс?" in client.get(path_of(links["confirm"])).content.decode()
    assert "Отменить этот сеанс" in client.get(path_of(links["cancel"])).content.decode()


def test_a_failed_reminder_is_not_sent_again_once_its_session_has_moved(
    client,
    clinic_a,
    therapist_a,
    admin_a,
    hours,
    settings,
    django_capture_on_commit_callbacks,
):
    from protocols.moving import move_session

    settings.MAIL_CONFIGURED = False
    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    move_session(session=session, user=therapist_a, day=session.date, start=parse_time("14:00"))
    settings.MAIL_CONFIGURED = True

    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("outbox_retry", args=[Message.objects.get().pk]), follow=True)

    assert "moved to another time" in html.unescape(page.content.decode())
    assert mail.outbox == []
    assert Message.objects.get().status == Message.OBSOLETE


def test_a_queued_reminder_of_a_session_put_on_hold_is_not_sent(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    with django_capture_on_commit_callbacks(execute=False):  # the task is lost
        services.queue_reminders(now=evening_before(session))
    Session.objects.filter(pk=session.pk).update(status=Session.ON_HOLD)
    Message.objects.update(updated_at=timezone.now() - timedelta(minutes=10))

    with django_capture_on_commit_callbacks(execute=True):
        services.sweep()

    assert mail.outbox == []
    message = Message.objects.get()
    assert message.status == Message.OBSOLETE and "no longer planned" in message.error


def test_an_old_link_of_a_session_that_lost_its_time_says_so(
    client, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    Session.objects.filter(pk=session.pk).update(starts_at=None, ends_at=None)

    page = client.get(path_of(links_of(mail.outbox[0])["confirm"]))

    assert page.status_code == 410 and "has changed" in page.content.decode()


def test_a_link_is_void_once_the_session_starts_or_moves_and_when_tampered_with(
    client, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    from protocols.moving import move_session

    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    url = path_of(links_of(mail.outbox[0])["confirm"])

    tampered = client.get(url[:-3] + "xx/")
    assert tampered.status_code == 410 and "not valid" in tampered.content.decode()

    move_session(session=session, user=therapist_a, day=session.date, start=parse_time("14:00"))
    moved = client.get(url)
    assert moved.status_code == 410 and "has changed" in moved.content.decode()

    move_session(session=session, user=therapist_a, day=session.date, start=parse_time("10:30"))
    assert client.get(url).status_code == 200  # back at the time the link speaks of
    PatientLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    late = client.get(url)
    assert late.status_code == 410 and "already started" in late.content.decode()


def test_links_are_rate_limited_per_address(client):
    cache.clear()
    codes = [client.get("/r/guess:nothing/").status_code for _ in range(22)]

    assert codes[:20] == [410] * 20
    assert codes[-1] == 429


def test_moving_a_session_clears_its_reminder_and_confirmation(
    clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    from protocols.moving import move_session

    course = timed_course(consenting(clinic_a), therapist_a)
    session = first(course)
    remind(session, django_capture_on_commit_callbacks)
    Session.objects.filter(pk=session.pk).update(confirmed_at=timezone.now())
    session.refresh_from_db()

    move_session(session=session, user=therapist_a, day=session.date, start=parse_time("14:00"))

    session.refresh_from_db()
    assert session.reminder_sent_at is None and session.confirmed_at is None
    remind(session, django_capture_on_commit_callbacks)  # the new time gets its own reminder
    assert len(mail.outbox) == 2 and "14:00" in mail.outbox[1].subject


# --- The handout by email, the outbox -------------------------------------------------------


def test_the_handout_is_emailed_as_a_pdf_and_recorded_as_an_access(
    signed_in, clinic_a, therapist_a, hours, django_capture_on_commit_callbacks
):
    course = timed_course(consenting(clinic_a), therapist_a)
    page = signed_in.get(reverse("protocols:course", args=[course.pk])).content.decode()
    assert "Email the handout" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("protocols:course_email_handout", args=[course.pk]))

    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["maria@example.org"] and "treatment plan" in email.subject
    (name, content, kind) = email.attachments[0]
    assert name.endswith(".pdf") and kind == "application/pdf" and content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.ACCESS,
        patient=course.patient,
        additional_data__document="handout by email",
    ).exists()


def test_the_handout_is_not_emailed_without_consent(signed_in, clinic_a, therapist_a, hours):
    course = timed_course(knee_patient(clinic_a, email="x@example.org"), therapist_a)
    page = signed_in.get(reverse("protocols:course", args=[course.pk])).content.decode()
    assert "Email the handout" not in page

    response = signed_in.post(
        reverse("protocols:course_email_handout", args=[course.pk]), follow=True
    )
    assert "has not agreed to email" in html.unescape(response.content.decode())
    assert not Message.objects.exists()


def test_the_outbox_shows_each_message_and_sends_a_failed_one_again(
    client, clinic_a, therapist_a, admin_a, hours, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_CONFIGURED = False
    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    message = Message.objects.get()

    assert client.get(reverse("outbox"))["Location"].startswith(reverse("login"))
    for refused in (therapist_a, UserFactory(clinic=clinic_a, role=RECEPTION)):
        client.force_login(refused)
        assert client.get(reverse("outbox")).status_code == 403
        assert client.post(reverse("outbox_retry", args=[message.pk])).status_code == 403
    client.force_login(admin_a)
    page = html.unescape(client.get(reverse("outbox")).content.decode())
    assert "Petrova Maria" in page and "No mail server is set up" in page and "Send again" in page

    settings.MAIL_CONFIGURED = True
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outbox_retry", args=[message.pk]))

    message.refresh_from_db()
    assert message.status == Message.SENT and len(mail.outbox) == 1
    assert "Send again" not in client.get(reverse("outbox")).content.decode()


def test_another_clinics_messages_are_not_in_the_outbox(
    client, clinic_a, clinic_b, therapist_a, admin_a, hours, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    remind(session, django_capture_on_commit_callbacks)
    admin_b = UserFactory(clinic=clinic_b, role="Clinic admin")
    client.force_login(admin_b)

    assert "Petrova" not in client.get(reverse("outbox")).content.decode()
    assert client.post(reverse("outbox_retry", args=[Message.objects.get().pk])).status_code == 404


def test_the_sweep_fails_an_interrupted_send_and_hands_on_a_lost_one(
    clinic_a, therapist_a, hours, settings, django_capture_on_commit_callbacks
):
    session = first(timed_course(consenting(clinic_a), therapist_a))
    settings.MAIL_CONFIGURED = True
    with django_capture_on_commit_callbacks(execute=False):  # the tasks are "lost"
        services.queue_reminders(now=evening_before(session))
    message = Message.objects.get()
    stuck = Message.objects.create(
        **{
            f: getattr(message, f)
            for f in ("clinic", "patient", "kind", "channel", "to", "body", "language")
        },
        status=Message.SENDING,
    )
    old = timezone.now() - timedelta(minutes=30)
    Message.objects.update(updated_at=old)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep() == {"interrupted": 1, "handed_on": 1}

    message.refresh_from_db()
    stuck.refresh_from_db()
    assert message.status == Message.SENT and len(mail.outbox) == 1
    assert stuck.status == Message.FAILED and "interrupted" in stuck.error


def test_the_admin_asks_for_the_same_consent(client, admin_a, patient_a):
    from tests.test_admin_writes import form_data

    client.force_login(admin_a)
    url = reverse("admin:patients_patient_change", args=[patient_a.pk])
    data = form_data(client.get(url)) | {"contact_preference": "email", "email": "o@example.org"}

    page = client.post(url, data)

    assert "give the date they agreed" in html.unescape(page.content.decode())
    patient_a.refresh_from_db()
    assert patient_a.contact_preference == "none"
