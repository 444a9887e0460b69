"""A clinic chain's years of records, made fast with bulk inserts (for ``scripts/bench.py``).

``make_chain(clinics=10)`` makes the clinics (each with its copy of the default library, working
days, holidays, five therapists and an admin); ``add_patients(chain, per_clinic)`` then adds
patients to every clinic with their conditions, exacerbations and contraindications, about three
courses each planned from the clinic's templates (with the template snapshot a real course
keeps) and their sessions, dated by the planner's own calendar over about five years up to a few
weeks ahead, so today and tomorrow have sessions. Everything is seeded, so two runs make the same
records.

The first clinic also keeps an appointment book (``Book``): two rooms, and one therapist (the
second, so the first one's pages stay as they were) with weekly hours, a leave ahead and every
session of the last two years and ahead at a time. The times are packed into the therapist's
hours day by day as the sessions are made (no planner call per row): bookings never overlap, of
the therapist or of a room, and a session that does not fit its day's hours keeps no time.
Every session has its course's therapist, as migration 0015 gives existing sessions.

``fill_day(chain)`` then makes the first clinic's today a full day for the calendar's grid (the
day page of the busiest clinic): six more therapists, weekly hours for ten of them (all but the
first, whose pages the bench measures), a room each, and today booked from the start to the end
of each one's hours, first with the day's sessions that had no time, then with new courses of
patients who had none running.
"""

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

import planner
from clinic.models import (
    CLINIC_ADMIN,
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
from planner.schedule import booking_minutes
from protocols.booking import aware
from protocols.models import Course, ProtocolTemplate, Session
from protocols.planning import reason_as_dict, rules_from_template
from protocols.snapshot import template_snapshot

BATCH = 2000

FIRST_NAMES = [
    ("Maria", "ru"), ("Olga", "ru"), ("Irina", "ru"), ("Natalia", "ru"), ("Elena", "ru"),
    ("Tatiana", "ru"), ("Svetlana", "ru"), ("Galina", "ru"), ("Lyudmila", "ru"), ("Nina", "ru"),
    ("Ivan", "ru"), ("Sergei", "ru"), ("Nikolai", "ru"), ("Viktor", "ru"), ("Pavel", "ru"),
    ("Alexei", "ru"), ("Dmitri", "ru"), ("Yuri", "ru"), ("Boris", "ru"), ("Oleg", "ru"),
    ("Anna", "en"), ("Margaret", "en"), ("Susan", "en"), ("Helen", "en"), ("Dorothy", "en"),
    ("Linda", "en"), ("Barbara", "en"), ("Patricia", "en"), ("John", "en"), ("Robert", "en"),
    ("Michael", "en"), ("William", "en"), ("David", "en"), ("Richard", "en"), ("Thomas", "en"),
]  # fmt: skip
LAST_NAMES = [
    "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Petrov", "Sokolov", "Mikhailov",
    "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov",
    "Pavlov", "Kozlov", "Stepanov", "Nikolaev", "Orlov", "Andreev", "Makarov", "Nikitin",
    "Zakharov", "Zaitsev", "Soloviev", "Borisov", "Yakovlev", "Grigoriev", "Romanov",
    "Vorobiev", "Sergeev", "Kuzmin", "Frolov", "Alexandrov", "Dmitriev", "Korolev", "Gusev",
    "Kiselev", "Ilyin", "Maximov", "Polyakov", "Sorokin", "Vinogradov", "Kovalev", "Belov",
    "Medvedev", "Antonov", "Tarasov", "Zhukov", "Baranov", "Filippov", "Komarov", "Davydov",
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green",
]  # fmt: skip
WEEKS = [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5]]
HOLD_REASON = "Exacerbation of knee arthrosis"
SKIP_REASONS = ["Patient ill", "Patient did not come", "Pain 7 of 10 before the session"]
# The booked therapist's week (minutes since midnight): a lunch break on weekdays, short weekends.
BOOK_HOURS = {
    **{weekday: [(9 * 60, 13 * 60), (14 * 60, 20 * 60)] for weekday in range(5)},
    5: [(10 * 60, 16 * 60)],
    6: [(10 * 60, 14 * 60)],
}
BOOK_DAYS = 2 * 365  # sessions of the last two years (and every later one) have times


@dataclass
class Book:
    """One therapist's appointment book: times given to their sessions as they are made."""

    therapist: User
    rooms: list
    since: date
    ends: dict = field(default_factory=dict)  # day -> where its last booking ends (minutes)
    booked: int = 0
    untimed: int = 0  # sessions that did not fit their day's hours

    def place(self, clinic, day: date, minutes: int, buffer_minutes: int) -> dict:
        """The next free time of ``day`` for a session of ``minutes``: Session fields."""
        length = booking_minutes(minutes, buffer_minutes, clinic.slot_minutes)
        cursor = self.ends.get(day, 0)
        for start, end in BOOK_HOURS.get(day.weekday(), []):
            at = max(cursor, start)
            if at + length <= end:
                self.ends[day] = at + length
                room = self.rooms[self.booked % len(self.rooms)]
                self.booked += 1
                return {
                    "starts_at": aware(clinic, day, at),
                    "ends_at": aware(clinic, day, at + length),
                    "room": room,
                }
        self.untimed += 1
        return {}


# The ten therapists' shifts on the day grid (the booked therapist keeps BOOK_HOURS).
DAY_SHIFTS = [
    [(8 * 60, 16 * 60)],
    [(9 * 60, 13 * 60), (14 * 60, 18 * 60)],
    [(10 * 60, 19 * 60)],
    [(12 * 60, 20 * 60)],
    [(9 * 60, 17 * 60)],
]
# The first clinic's therapists beside its five: ten of them with hours on its day grid. Its first
# therapist (whose pages the bench measures signed in) keeps no hours, so the course preview stays
# the one without a schedule; their sessions keep no time.
EXTRA_THERAPISTS = 6


@dataclass
class ClinicData:
    clinic: Clinic
    therapists: list
    admin: User
    calendar: planner.WorkingCalendar
    templates: list  # (template, rules, snapshot)
    kinds: dict  # code -> ContraindicationKind
    warnings: dict = field(default_factory=dict)  # code -> the R10 warning a course stores
    book: Book | None = None  # the first clinic's appointment book
    extra: list = field(default_factory=list)  # the first clinic's five more therapists


@dataclass
class Chain:
    clinics: list
    today: date
    rng: random.Random
    patients: int = 0


@contextmanager
def dated_as_given(*models):
    """Let bulk inserts keep the creation times they are given (not ``now``)."""
    fields = [m._meta.get_field("created_at") for m in models]
    saved = [(f.auto_now_add, f.auto_now) for f in fields]
    for f in fields:
        f.auto_now_add = f.auto_now = False
    try:
        yield
    finally:
        for f, (add, now) in zip(fields, saved, strict=True):
            f.auto_now_add, f.auto_now = add, now


def _aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def make_chain(*, clinics: int = 10, seed: int = 7) -> Chain:
    rng = random.Random(seed)
    today = timezone.localdate()
    therapist_group = Group.objects.get(name=THERAPIST)
    admin_group = Group.objects.get(name=CLINIC_ADMIN)
    password = make_password("bench-only-password-never-used")
    chain = Chain(clinics=[], today=today, rng=rng)
    with transaction.atomic():
        for n in range(clinics):
            # The first clinic works every day, so "today" always has sessions to show.
            week = WEEKS[n % len(WEEKS)] if n else [0, 1, 2, 3, 4, 5, 6]
            clinic = create_clinic(
                name=f"Clinic {n + 1:02d}",
                address=f"{n + 1} Main Street",
                phone=f"+7 495 000 {n:04d}",
                working_weekdays=week,
                default_language="ru" if n % 2 == 0 else "en",
            )
            holidays = [
                date(year, month, day)
                for year in range(today.year - 5, today.year + 2)
                for month, day in ((1, 1), (1, 2), (5, 1), (12, 31))
                if not (n == 0 and date(year, month, day) in (today, today + timedelta(days=1)))
            ]
            ClosedDate.objects.bulk_create(
                ClosedDate(clinic=clinic, date=d, reason="Holiday") for d in holidays
            )
            staff = User.objects.bulk_create(
                User(
                    username=f"c{n + 1:02d}-{role}{i}",
                    first_name=rng.choice(FIRST_NAMES)[0],
                    last_name=rng.choice(LAST_NAMES),
                    clinic=clinic,
                    is_staff=True,
                    password=password,
                )
                for role, count in (("therapist", 5), ("admin", 1))
                for i in range(1, count + 1)
            )
            User.groups.through.objects.bulk_create(
                User.groups.through(
                    user_id=u.pk,
                    group_id=(admin_group if "admin" in u.username else therapist_group).pk,
                )
                for u in staff
            )
            templates = []
            for template in ProtocolTemplate.objects.filter(clinic=clinic).prefetch_related(
                "steps", "handout_sections"
            ):
                templates.append((template, rules_from_template(template), None))
            templates = [(t, r, template_snapshot(t)) for t, r, _s in templates]
            extra = _extra_therapists(clinic, therapist_group, password, seed) if n == 0 else []
            chain.clinics.append(
                ClinicData(
                    clinic=clinic,
                    therapists=staff[:5],
                    admin=staff[5],
                    calendar=planner.WorkingCalendar(
                        working_weekdays=frozenset(week), closed_dates=frozenset(holidays)
                    ),
                    templates=templates,
                    kinds={k.code: k for k in ContraindicationKind.objects.filter(clinic=clinic)},
                    book=_open_book(clinic, staff[1], today) if n == 0 else None,
                    extra=extra,
                )
            )
    return chain


def _extra_therapists(clinic, group, password, seed) -> list:
    """Five more therapists for the first clinic, named by a generator of their own (the chain's
    draws stay as they were, so every other record is the same as without them)."""
    rng = random.Random(seed + 1)
    extra = User.objects.bulk_create(
        User(
            username=f"c01-therapist{i}",
            first_name=rng.choice(FIRST_NAMES)[0],
            last_name=rng.choice(LAST_NAMES),
            clinic=clinic,
            is_staff=True,
            password=password,
        )
        for i in range(6, 6 + EXTRA_THERAPISTS)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=group.pk) for u in extra
    )
    return extra


def fill_day(chain: Chain, *, spare=()) -> dict:
    """Book the first clinic's today full for its ten therapists (see the module's docstring),
    giving no course to the patients ``spare`` (their pages are measured as they were); returns
    what the day holds."""
    data, today = chain.clinics[0], chain.today
    clinic, book = data.clinic, data.book
    rng = random.Random(11)
    people = [p for p in (*data.therapists, *data.extra) if p != data.therapists[0]]
    with transaction.atomic():
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=person, weekday=weekday, start=start, end=end)
            for n, person in enumerate(p for p in people if p != book.therapist)
            for weekday in range(7)
            for start, end in DAY_SHIFTS[n % len(DAY_SHIFTS)]
        )
        rooms = Room.objects.bulk_create(
            Room(clinic=clinic, name=f"Room {n}", order=n) for n in range(3, 3 + len(people) - 1)
        )
        own_room = dict(zip([p for p in people if p != book.therapist], rooms, strict=True))
        shifts = {person.pk: list(BOOK_HOURS[today.weekday()]) for person in people}
        for n, person in enumerate(p for p in people if p != book.therapist):
            shifts[person.pk] = DAY_SHIFTS[n % len(DAY_SHIFTS)]
        ends = {person.pk: 0 for person in people}
        ends[book.therapist.pk] = book.ends.get(today, 0)

        def place(person_pk, minutes, buffer_minutes):
            length = booking_minutes(minutes, buffer_minutes, clinic.slot_minutes)
            for start, end in shifts[person_pk]:
                at = max(ends[person_pk], start)
                if at + length <= end:
                    ends[person_pk] = at + length
                    return at, length
            return None

        def room_of(person_pk, count):
            if person_pk == book.therapist.pk:
                return book.rooms[count % len(book.rooms)]
            return own_room[next(p for p in people if p.pk == person_pk)]

        timed = 0
        untimed = (
            Session.objects.filter(
                course__patient__clinic=clinic,
                date=today,
                starts_at__isnull=True,
                therapist__in=people,
            )
            .exclude(status=Session.CANCELLED)
            .select_related("course__template")
        )
        changed = []
        for session in untimed.order_by("pk"):
            spot = place(
                session.therapist_id,
                session.planned_minutes,
                session.course.template.buffer_minutes,
            )
            if spot:
                at, length = spot
                session.starts_at = aware(clinic, today, at)
                session.ends_at = aware(clinic, today, at + length)
                session.room = room_of(session.therapist_id, timed)
                changed.append(session)
                timed += 1
        Session.objects.bulk_update(changed, ["starts_at", "ends_at", "room"], batch_size=BATCH)

        free = list(
            clinic.patients.filter(archived=False)
            .exclude(courses__status__in=Course.RUNNING)
            .exclude(pk__in=list(spare))
            .order_by("pk")[:2000]
        )
        rng.shuffle(free)
        suited = [
            t
            for t in data.templates
            if t[1].slug in ("knee-arthrosis-classic", "swedish-weekly-60")
        ]
        added = 0
        for person in people:
            while free:
                template, rules, snapshot = rng.choices(suited, weights=[4, 1])[0]
                first = planner.session_minutes(rules, 1)
                spot = place(person.pk, first, template.buffer_minutes)
                if spot is None:
                    break
                at, length = spot
                patient = free.pop()
                count = rules.default_sessions
                dates = planner.session_dates(data.calendar, today, count, rules.cadence_days)
                course = Course.objects.create(
                    patient=patient,
                    template=template,
                    template_snapshot=snapshot,
                    cadence_days=rules.cadence_days,
                    status=Course.PLANNED,
                    therapist=person,
                    created_by=person,
                    starts_on=dates[0],
                )
                Session.objects.bulk_create(
                    Session(
                        course=course,
                        clinic=clinic,
                        number=number,
                        date=day,
                        planned_minutes=planner.session_minutes(rules, number),
                        therapist=person,
                        **(
                            {
                                "starts_at": aware(clinic, today, at),
                                "ends_at": aware(clinic, today, at + length),
                                "room": room_of(person.pk, timed + added),
                            }
                            if number == 1
                            else {}
                        ),
                    )
                    for number, day in enumerate(dates, start=1)
                )
                added += 1
    day = Session.objects.filter(course__patient__clinic=clinic, date=today).exclude(
        status=Session.CANCELLED
    )
    return {
        "therapists": len(people),
        "sessions_today": day.count(),
        "timed_today": day.filter(starts_at__isnull=False).count(),
        "new_courses": added,
    }


def _open_book(clinic: Clinic, therapist: User, today: date) -> Book:
    """Two rooms for ``clinic``; weekly hours and a leave ahead for ``therapist``."""
    rooms = Room.objects.bulk_create(Room(clinic=clinic, name=f"Room {n}", order=n) for n in (1, 2))
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=weekday, start=start, end=end)
        for weekday, intervals in BOOK_HOURS.items()
        for start, end in intervals
    )
    leave = today + timedelta(days=120)
    Absence.objects.create(
        therapist=therapist, start=leave, end=leave + timedelta(days=13), reason=Absence.LEAVE
    )
    return Book(therapist=therapist, rooms=rooms, since=today - timedelta(days=BOOK_DAYS))


def _condition(rng, patient, today, extra=None):
    """A condition; ``extra`` is inflammatory arthritis, for which no template is offered."""
    if extra:
        return Condition(patient=patient, kind=Condition.INFLAMMATORY_ARTHRITIS)
    roll = rng.random()
    if roll < 0.55:
        return Condition(
            patient=patient,
            kind=Condition.KNEE_ARTHROSIS,
            stage=rng.choice([1, 2, 2, 3]),
            kl_grade=rng.choice([None, 1, 2, 3]),
            side=rng.choice(["left", "right", "both"]),
            knee_tender=rng.random() < 0.15,
        )
    if roll < 0.70:
        return Condition(
            patient=patient,
            kind=Condition.ENDOPROSTHETICS,
            joint=rng.choice(["knee", "hip"]),
            side=rng.choice(["left", "right"]),
            surgery_date=today - timedelta(days=rng.randint(2000, 2600)),
        )
    return Condition(patient=patient, kind=Condition.SCIATICA, side=rng.choice(["left", "right"]))


def _warning(data: ClinicData, kind: ContraindicationKind, day: date) -> dict:
    """The R10 warning the planner gives for a 'warns' contraindication, as a course stores it."""
    if kind.code not in data.warnings:
        rules = next(r for _t, r, _s in data.templates if r.slug == "sciatica-leg")
        answer = planner.plan(
            planner.PlanRequest(
                template=rules,
                start=day,
                calendar=data.calendar,
                conditions=(planner.Condition(kind=planner.SCIATICA, side="left"),),
                contraindications=(
                    planner.Contraindication(
                        code=kind.code,
                        name=kind.name,
                        severity=kind.severity,
                        period=planner.Period(start=day - timedelta(days=30)),
                        advice=kind.patient_text,
                        staff=kind.staff_text,
                        translations=kind.planner_translations(),
                    ),
                ),
            )
        )
        found = [w for w in getattr(answer, "warnings", ()) if w.rule == "R10"]
        data.warnings[kind.code] = reason_as_dict(found[0]) if found else None
    return data.warnings[kind.code]


def add_patients(chain: Chain, per_clinic: int) -> dict:
    """Add ``per_clinic`` patients with their history to every clinic; returns row counts."""
    rng, today = chain.rng, chain.today
    counts = dict.fromkeys(["patients", "courses", "sessions"], 0)
    with transaction.atomic(), dated_as_given(Patient, Condition, Course):
        for data in chain.clinics:
            counts_clinic = _add_to_clinic(chain, data, per_clinic, rng, today)
            for key in counts:
                counts[key] += counts_clinic[key]
    chain.patients += counts["patients"]
    return counts


def _add_to_clinic(chain, data, per_clinic, rng, today):
    clinic = data.clinic
    patients = []
    for i in range(per_clinic):
        first, language = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        if first in (
            "Maria",
            "Olga",
            "Irina",
            "Natalia",
            "Elena",
            "Tatiana",
            "Svetlana",
            "Galina",
            "Lyudmila",
            "Nina",
        ) and not last.endswith(("h", "s", "n", "r", "e", "g", "t", "k")):
            last += "a"  # fmt: skip
        joined = today - timedelta(days=rng.randint(30, 6 * 365))
        patients.append(
            Patient(
                clinic=clinic,
                first_name=first,
                last_name=last,
                birth_date=date(rng.randint(1935, 1985), rng.randint(1, 12), rng.randint(1, 28)),
                phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)} {i % 10000:04d}",
                email=f"patient{chain.patients + i}@example.org" if rng.random() < 0.4 else "",
                language=language if rng.random() < 0.9 else "en",
                notes="Prefers mornings." if rng.random() < 0.1 else "",
                archived=rng.random() < 0.03,
                created_at=_aware(joined),
            )
        )
    patients = Patient.objects.bulk_create(patients, batch_size=BATCH)

    conditions = []
    for patient in patients:
        conditions.append(_condition(rng, patient, today))
        if rng.random() < 0.25:
            extra = _condition(rng, patient, today, extra=rng.random() < 0.2)
            if extra.kind != conditions[-1].kind:
                conditions.append(extra)
    for c in conditions:
        c.created_at = c.patient.created_at
    conditions = Condition.objects.bulk_create(conditions, batch_size=BATCH)
    by_patient = {}
    for c in conditions:
        by_patient.setdefault(c.patient_id, []).append(c)

    exacerbations, contraindications, courses, plans = [], [], [], []
    warns = [k for k in data.kinds.values() if k.severity == ContraindicationKind.WARNS]
    blocks = [k for k in data.kinds.values() if k.severity == ContraindicationKind.BLOCKS]
    for patient in patients:
        facts = by_patient[patient.pk]
        if rng.random() < 0.12:  # a past flare-up, a few still going on
            start = today - timedelta(days=rng.randint(10, 1500))
            ongoing = rng.random() < 0.1
            exacerbations.append(
                Exacerbation(
                    patient=patient,
                    condition=facts[0],
                    start=start,
                    end=None if ongoing else start + timedelta(days=rng.randint(5, 30)),
                )
            )
        if rng.random() < 0.08:  # a past fever or the like
            start = today - timedelta(days=rng.randint(10, 1500))
            contraindications.append(
                PatientContraindication(
                    patient=patient,
                    kind=rng.choice(blocks),
                    start=start,
                    end=start + timedelta(days=rng.randint(3, 14)),
                )
            )
        warned_since = None
        if rng.random() < 0.06:  # blood thinners and the like: warn, do not block
            warned_since = today - timedelta(days=rng.randint(100, 1500))
            kind = rng.choice(warns)
            contraindications.append(
                PatientContraindication(patient=patient, kind=kind, start=warned_since)
            )
        conditions_in = [c.as_planner_condition() for c in facts]
        suited = [t for t in data.templates if planner.template_applies(t[1], conditions_in)]
        if not suited:
            continue
        number = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 2, 1])[0]
        start = today + timedelta(days=rng.randint(-600, 20))
        starts = [start]
        for _ in range(number - 1):
            starts.append(starts[-1] - timedelta(days=rng.randint(190, 360)))
        for start in reversed(starts):
            weights = [1 if t[1].max_sessions < 10 else 3 for t in suited]  # fewer weekly ones
            template, rules, snapshot = rng.choices(suited, weights=weights)[0]
            cadence = rules.cadence_days if rules.cadence_days > 2 else rng.choice([1, 2])
            count = rng.randint(rules.min_sessions, rules.max_sessions)
            dates = planner.session_dates(data.calendar, start, count, cadence)
            minutes = [planner.session_minutes(rules, n) for n in range(1, count + 1)]
            if dates[-1] < today:
                status = Course.CANCELLED if rng.random() < 0.04 else Course.COMPLETED
            elif dates[0] > today:
                status = Course.PLANNED
            else:
                status = Course.ON_HOLD if rng.random() < 0.04 else Course.ACTIVE
            warnings = []
            if warned_since and warned_since <= start:
                warning = _warning(data, kind, start)
                warnings = [warning] if warning else []
            therapist = rng.choice(data.therapists)
            courses.append(
                Course(
                    patient=patient,
                    template=template,
                    template_snapshot=snapshot,
                    cadence_days=cadence,
                    status=status,
                    therapist=therapist,
                    created_by=therapist,
                    warnings=warnings,
                    hold_reason=HOLD_REASON if status == Course.ON_HOLD else "",
                    starts_on=dates[0],  # the first session is never the one cancelled below
                    created_at=_aware(start - timedelta(days=rng.randint(1, 10))),
                )
            )
            plans.append((dates, minutes, therapist))
    Exacerbation.objects.bulk_create(exacerbations, batch_size=BATCH)
    PatientContraindication.objects.bulk_create(contraindications, batch_size=BATCH)
    courses = Course.objects.bulk_create(courses, batch_size=BATCH)

    sessions = []
    book = data.book
    for course, (dates, minutes, therapist) in zip(courses, plans, strict=True):
        cancel_from = rng.randint(3, len(dates)) if course.status == Course.CANCELLED else None
        pain = rng.randint(4, 6)
        booked = book is not None and therapist == book.therapist
        for number, (day, planned) in enumerate(zip(dates, minutes, strict=True), start=1):
            times = {}
            if booked and day >= book.since:
                times = book.place(clinic, day, planned, course.template.buffer_minutes)
            session = Session(
                course=course,
                clinic_id=clinic.pk,
                number=number,
                date=day,
                planned_minutes=planned,
                therapist=therapist,
                **times,
            )
            if cancel_from and number >= cancel_from:
                session.status = Session.CANCELLED
            elif course.status == Course.ON_HOLD and day >= today:
                session.status = Session.ON_HOLD
            elif day < today:
                if rng.random() < 0.06:
                    session.status = Session.SKIPPED
                    session.skip_reason = rng.choice(SKIP_REASONS)
                else:
                    session.status = Session.DONE
                    session.actual_minutes = planned
                    session.pain_before = pain
                    pain = max(0, pain - rng.choice([0, 0, 1]))
                    session.pain_after = max(0, pain - rng.choice([0, 1]))
                session.recorded_by = therapist
                session.recorded_at = _aware(day, 10 + rng.randint(0, 7))
            sessions.append(session)
        if len(sessions) >= 20000:
            Session.objects.bulk_create(sessions, batch_size=BATCH)
            sessions = []
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    return {
        "patients": len(patients),
        "courses": len(courses),
        "sessions": sum(len(d) for d, _m, _t in plans),
    }
