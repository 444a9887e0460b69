"""Mail through a real SMTP server the test starts (aiosmtpd), and reminders exactly once with two
workers at the same moment."""

import email
import email.policy
import re
import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from messaging import services
from messaging.models import Message
from tests.test_concurrency import postgres_only
from tests.test_messaging import consenting, evening_before, first, timed_course
from tests.workspace import give_hours

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.MAIL_CONFIGURED = True
    yield inbox
    controller.stop()


def test_a_reminder_arrives_over_smtp_with_its_subject_language_and_links(
    smtp, default_library, clinic_a, therapist_a
):
    give_hours(therapist_a)
    session = first(timed_course(consenting(clinic_a, language="ru"), therapist_a))

    services.queue_reminders(now=evening_before(session))

    ((to, message),) = smtp.messages
    assert to == ["maria@example.org"]
    assert message["Subject"].strip().startswith("Напоминание") and "10:30" in message["Subject"]
    assert message["Content-Language"] == "ru"
    body = message.get_body(("plain",)).get_content()
    assert len(re.findall(r"/r/[^\s]+/", body)) == 2
    assert Message.objects.get().status == Message.SENT


def test_the_handout_arrives_over_smtp_as_a_pdf_attachment(
    smtp, default_library, clinic_a, therapist_a, client
):
    from django.urls import reverse

    give_hours(therapist_a)
    course = timed_course(consenting(clinic_a), therapist_a)
    client.force_login(therapist_a)

    client.post(reverse("protocols:course_email_handout", args=[course.pk]))

    ((to, message),) = smtp.messages
    assert to == ["maria@example.org"]
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert "treatment plan" in message["Subject"]


@postgres_only
def test_two_workers_at_the_same_moment_remind_each_session_once(
    smtp, default_library, clinic_a, therapist_a
):
    give_hours(therapist_a)
    sessions = [
        first(
            timed_course(
                consenting(clinic_a, last_name=name, email=f"{name}@example.org"), therapist_a
            )
        )
        for name in ("Petrova", "Ivanova", "Sidorova")
    ]
    now = evening_before(sessions[0]) + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            services.queue_reminders(now=now)
        except Exception as failed:  # pragma: no cover - shown by the assert below
            errors.append(failed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    same_day = [s for s in sessions if s.date == sessions[0].date]
    assert len(smtp.messages) == len(same_day) == Message.objects.count()
    addresses = sorted(to[0] for to, _m in smtp.messages)
    assert addresses == sorted({s.course.patient.email for s in same_day})
