"""``manage.py seed_demo``: a demo clinic whose patients exercise every planning rule.

The clinic runs on its appointment book (R17): two rooms, three therapists with weekly hours (one
with a lunch break, one who does not work on Wednesdays, one on an evening shift with leave next
month), a receptionist (the front desk: the calendar and contacts, no clinical record), and
every course booked at a time through ``create_course``, several of them on the demo's day
(today, or the clinic's next open day when it is closed today), so the day page and the day's
sheets look like a real clinic's day. The clinic's time zone is the default
(``TIME_ZONE``).

Idempotent: a second run changes nothing. The demo staff passwords are generated and printed
once, when the users are created; they are not stored anywhere else.
"""

import secrets
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

import planner
from clinic.models import (
    CLINIC_ADMIN,
    RECEPTION,
    THERAPIST,
    Absence,
    Clinic,
    ClosedDate,
    Room,
    User,
    WorkingHours,
)
from ops.clinics import create_clinic
from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)
from protocols.models import Course, ProtocolTemplate, Session
from protocols.planning import plan_for_patient
from protocols.services import create_course

DEMO_CLINIC = "Demo Massage Clinic"
MON_TO_SAT = [0, 1, 2, 3, 4, 5]
ROOMS = ["Room 1", "Room 2"]


def clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# The staff: (username, first name, last name, role, weekly hours as {weekday: [(from, to)]}).
LUNCH_BREAK = {day: [("09:00", "13:00"), ("14:00", "18:00")] for day in MON_TO_SAT}
NOT_ON_WEDNESDAYS = {day: [("10:00", "19:00")] for day in MON_TO_SAT if day != 2}
EVENING_SHIFT = {day: [("12:00", "20:00")] for day in MON_TO_SAT}
STAFF = [
    ("demo-admin", "Olga", "Smirnova", CLINIC_ADMIN, {}),
    ("demo-therapist", "Ivan", "Kuznetsov", THERAPIST, LUNCH_BREAK),
    ("demo-therapist-2", "Anna", "Belova", THERAPIST, NOT_ON_WEDNESDAYS),
    ("demo-therapist-3", "Pavel", "Zaitsev", THERAPIST, EVENING_SHIFT),
    ("demo-reception", "Svetlana", "Markova", RECEPTION, {}),  # gives no sessions: no hours
]


class Command(BaseCommand):
    help = "Install a demo clinic with staff, patients and courses (idempotent)."

    def handle(self, *args, **options):
        if Clinic.objects.filter(name=DEMO_CLINIC).exists():
            self.stdout.write(
                "The demo clinic is already installed. Its staff passwords were printed when it "
                "was created; to set a new one: python manage.py changepassword demo-therapist"
            )
            return
        with transaction.atomic():
            clinic, credentials = self.create_clinic_and_staff()
            Demo(clinic).create_patients()
        self.stdout.write(self.style.SUCCESS(f"Installed the demo clinic “{DEMO_CLINIC}”."))
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with (shown only this once):")
        for username, role, password in credentials:
            self.stdout.write(f"    {role:<14} username: {username:<16} password: {password}")

    def create_clinic_and_staff(self):
        clinic = create_clinic(
            name=DEMO_CLINIC,
            address="12 Linden Avenue, Springfield",
            phone="+1 555 0142",
            working_weekdays=MON_TO_SAT,  # closed on Sundays
        )
        year = timezone.localdate().year
        for day, reason in [
            (date(year, 12, 31), "New Year's Eve"),
            (date(year + 1, 1, 1), "New Year's Day"),
            (date(year + 1, 1, 2), "New Year holiday"),
        ]:
            ClosedDate.objects.create(clinic=clinic, date=day, reason=reason)
        for order, name in enumerate(ROOMS):
            Room.objects.create(clinic=clinic, name=name, order=order)
        credentials = []
        for username, first, last, role, hours in STAFF:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                clinic=clinic,
                is_staff=True,
            )
            user.groups.add(Group.objects.get(name=role))
            WorkingHours.objects.bulk_create(
                WorkingHours(therapist=user, weekday=day, start=clock(start), end=clock(end))
                for day, intervals in hours.items()
                for start, end in intervals
            )
            credentials.append((username, role, password))
        # Pavel is on leave for two weeks next month (from the first of the month after the
        # coming week, so never on the demo's day): his courses skip those days.
        soon = demo_day(clinic, timezone.localdate()) + timedelta(days=7)
        leave = (soon.replace(day=1) + timedelta(days=32)).replace(day=1)
        Absence.objects.create(
            therapist=User.objects.get(username="demo-therapist-3"),
            start=leave,
            end=leave + timedelta(days=13),
            reason=Absence.LEAVE,
            note="Summer leave",
        )
        return clinic, credentials


class Demo:
    """Builds the demo patients, dated relative to today so the demo always looks current."""

    def __init__(self, clinic: Clinic):
        self.clinic = clinic
        self.ivan, self.anna, self.pavel = (
            User.objects.get(username=name)
            for name in ("demo-therapist", "demo-therapist-2", "demo-therapist-3")
        )
        self.today = timezone.localdate()
        self.day = demo_day(clinic, self.today)
        self.templates = {t.slug: t for t in ProtocolTemplate.objects.filter(clinic=clinic)}
        self.kinds = {k.code: k for k in ContraindicationKind.objects.filter(clinic=clinic)}

    def days(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def patient(self, first, last, born, **fields) -> Patient:
        return Patient.objects.create(
            clinic=self.clinic, first_name=first, last_name=last, birth_date=born, **fields
        )

    def condition(self, patient, kind, **fields) -> Condition:
        return Condition.objects.create(patient=patient, kind=kind, **fields)

    def contraindication(self, patient, code, start, end=None, note=""):
        PatientContraindication.objects.create(
            patient=patient, kind=self.kinds[code], start=start, end=end, note=note
        )

    def through_the_day(self, patient, slug, days_ago: int, therapist, at: str) -> date:
        """The start nearest ``days_ago`` days back (up to a week earlier, or later down to the
        day itself) from which the course has a session on the demo's day, so the day is full;
        ``days_ago`` itself when none gives one. (An every-other-day course that crossed a Sunday
        comes back on Monday and Wednesday: on a Tuesday it can only start that day.)"""
        for back in sorted(range(days_ago + 8), key=lambda back: (abs(back - days_ago), -back)):
            start = self.day - timedelta(days=back)
            answer = plan_for_patient(
                patient=patient,
                template=self.templates[slug],
                start=start,
                therapist=therapist,
                preferred_time=clock(at),
            )
            if isinstance(answer, planner.Plan) and any(s.day == self.day for s in answer.sessions):
                return start
        return self.day - timedelta(days=days_ago)

    def course(
        self, patient, slug, start, *, therapist, at, sessions=None, status=None, pain=(6, 4)
    ) -> Course:
        """Book a course through the planner (``at``: the preferred time, "HH:MM"), then record
        the sessions already in the past."""
        course = create_course(
            patient=patient,
            template=self.templates[slug],
            start=start,
            sessions=sessions,
            therapist=therapist,
            created_by=therapist,
            preferred_time=clock(at),
        )
        past = list(course.sessions.filter(date__lt=self.today))
        for index, session in enumerate(past):
            if status == Course.CANCELLED:
                break
            session.status = Session.DONE
            session.actual_minutes = session.planned_minutes
            # Pain eases over the course (NPRS 0–10), before and after each session.
            session.pain_before = max(0, pain[0] - index // 3)
            session.pain_after = max(0, pain[1] - index // 3)
        Session.objects.bulk_update(past, ["status", "actual_minutes", "pain_before", "pain_after"])
        if status is None:
            remaining = course.sessions.filter(date__gte=self.today).exists()
            status = (
                Course.COMPLETED if not remaining else (Course.ACTIVE if past else Course.PLANNED)
            )
        if status == Course.CANCELLED:
            course.sessions.filter(status=Session.PLANNED).update(status=Session.CANCELLED)
        course.status = status
        course.save(update_fields=["status"])
        return course

    def create_patients(self):
        K, E, S, I = (  # noqa: E741
            Condition.KNEE_ARTHROSIS,
            Condition.ENDOPROSTHETICS,
            Condition.SCIATICA,
            Condition.INFLAMMATORY_ARTHRITIS,
        )
        # 1. Stage 1, a course finished three months ago: the next one is due soon (R5).
        p = self.patient("Maria", "Ivanova", date(1958, 4, 2), phone="+1 555 0201")
        self.condition(p, K, stage=1, kl_grade=2, side="left")
        self.course(p, "knee-arthrosis-classic", self.days(-110), therapist=self.ivan, at="09:00")

        # 2. Stage 2 with an exacerbation going on now: planning is refused (R6).
        p = self.patient("Pyotr", "Sokolov", date(1950, 9, 18), phone="+1 555 0202", language="ru")
        knee = self.condition(p, K, stage=2, side="both")
        self.course(
            p,
            "knee-arthrosis-classic",
            self.days(-200),
            therapist=self.anna,
            at="10:00",
            pain=(7, 5),
        )
        Exacerbation.objects.create(patient=p, condition=knee, start=self.days(-4), note="Swollen")

        # 3. Stage 2, knee painful on touch: a knee-sparing course in progress (R11), due today.
        # Elena and Sergei agreed to reminders (by email, and by text message).
        p = self.patient(
            "Elena",
            "Morozova",
            date(1962, 1, 30),
            phone="+1 555 0203",
            email="elena.morozova@example.org",
            contact_preference=Patient.CONTACT_EMAIL,
            contact_consent_on=self.days(-30),
            contact_consent_source="signed",
        )
        self.condition(p, K, stage=2, side="right", knee_tender=True)
        sparing = "knee-arthrosis-knee-sparing"
        start = self.through_the_day(p, sparing, 12, self.ivan, "10:30")
        self.course(p, sparing, start, therapist=self.ivan, at="10:30")

        # 4. Stage 3: knee-sparing course starting today, with the surgical-consultation
        # warning (R10).
        p = self.patient("Nikolai", "Volkov", date(1945, 6, 11), phone="+1 555 0204")
        self.condition(p, K, stage=3, kl_grade=4, side="left")
        self.course(p, sparing, self.day, therapist=self.pavel, at="12:00")

        # 5. Knee replaced ten days ago: massage not yet allowed (R8, kinesiotherapy instead).
        p = self.patient("Galina", "Lebedeva", date(1955, 12, 5), phone="+1 555 0205")
        self.condition(p, E, joint="knee", side="right", surgery_date=self.days(-10))

        # 6. Hip replaced two months ago: after-endoprosthetics course in progress.
        p = self.patient(
            "Sergei",
            "Kozlov",
            date(1953, 3, 22),
            phone="+1 555 0206",
            contact_preference=Patient.CONTACT_SMS,
            contact_consent_on=self.days(-20),
            contact_consent_source="verbal",
        )
        self.condition(p, E, joint="hip", side="left", surgery_date=self.days(-60))
        start = self.through_the_day(p, "after-endoprosthetics", 20, self.pavel, "15:00")
        self.course(
            p, "after-endoprosthetics", start, therapist=self.pavel, at="15:00", pain=(5, 3)
        )

        # 7. Rheumatic arthritis whose flare-up ended two weeks ago: not before a month (R7).
        p = self.patient("Tatiana", "Novikova", date(1964, 8, 8), phone="+1 555 0207")
        self.condition(p, K, stage=1, side="both")
        arthritis = self.condition(p, I)
        Exacerbation.objects.create(
            patient=p, condition=arthritis, start=self.days(-40), end=self.days(-14)
        )

        # 8. On blood thinners: a course in progress carries the bruising warning (R10).
        p = self.patient("Alexei", "Popov", date(1949, 2, 14), phone="+1 555 0208")
        self.condition(p, K, stage=2, side="left")
        self.contraindication(p, "anticoagulants", self.days(-365), note="Warfarin")
        start = self.through_the_day(p, "knee-arthrosis-classic", 6, self.ivan, "09:00")
        self.course(p, "knee-arthrosis-classic", start, therapist=self.ivan, at="09:00")

        # 9. Sciatica, last course eight months ago: overdue for the next one (R5).
        p = self.patient("Irina", "Fedorova", date(1970, 11, 1), phone="+1 555 0209")
        self.condition(p, S, side="right")
        self.course(p, "sciatica-leg", self.days(-240), therapist=self.pavel, at="17:00")

        # 10. Fever now, started mid-course: the remaining sessions are on hold (R9).
        p = self.patient("Dmitry", "Orlov", date(1960, 5, 27), phone="+1 555 0210")
        self.condition(p, K, stage=2, side="right")
        course = self.course(
            p,
            "knee-arthrosis-classic",
            self.days(-8),
            therapist=self.anna,
            at="11:00",
            status=Course.ON_HOLD,
        )
        self.contraindication(p, "fever", self.days(-1), self.days(3), note="38.4 °C")
        course.sessions.filter(status=Session.PLANNED).update(status=Session.ON_HOLD)

        # 11. Weekly 60-minute Swedish massage (Perlman et al. 2012 dose) in progress.
        p = self.patient("Anna", "Pavlova", date(1957, 7, 19), phone="+1 555 0211")
        self.condition(p, K, stage=2, side="both")
        self.contraindication(p, "poor_limb_blood_supply", self.days(-90))
        start = self.through_the_day(p, "swedish-weekly-60", 21, self.ivan, "14:00")
        self.course(p, "swedish-weekly-60", start, therapist=self.ivan, at="14:00")

        # 12. Stage 3 on blood thinners, no course yet: a plan today shows both warnings (R10).
        p = self.patient("Vera", "Sidorova", date(1947, 4, 25), phone="+1 555 0213", language="ru")
        self.condition(p, K, stage=3, side="right")
        self.contraindication(p, "anticoagulants", self.days(-30), note="Apixaban")

        # 13. A course cancelled before it began (the patient moved away), patient archived.
        p = self.patient("Boris", "Egorov", date(1952, 10, 3), phone="+1 555 0212")
        self.condition(p, K, stage=1, side="right")
        self.course(
            p,
            "knee-arthrosis-classic",
            self.days(-150),
            therapist=self.anna,
            at="16:00",
            status=Course.CANCELLED,
        )
        p.archived = True
        p.save(update_fields=["archived"])

        # 14. A first course starting today, at noon beside Pavel's patient (the other room).
        p = self.patient("Lyudmila", "Zakharova", date(1959, 3, 9), phone="+1 555 0214")
        self.condition(p, K, stage=1, side="right")
        self.course(p, "knee-arthrosis-classic", self.day, therapist=self.ivan, at="12:00")

        # 15. Sciatica, a course in progress, seen in the evening.
        p = self.patient("Oleg", "Belyaev", date(1968, 12, 17), phone="+1 555 0215")
        self.condition(p, S, side="left")
        start = self.through_the_day(p, "sciatica-leg", 10, self.pavel, "18:00")
        self.course(p, "sciatica-leg", start, therapist=self.pavel, at="18:00")


def demo_day(clinic: Clinic, today: date) -> date:
    """Today, or the clinic's next open day when it is closed today (a Sunday, a holiday)."""
    closed = set(clinic.closed_dates.values_list("date", flat=True))
    day = today
    while day.weekday() not in clinic.working_weekdays or day in closed:
        day += timedelta(days=1)
    return day
