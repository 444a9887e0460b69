"""factory-boy factories for the models.

No factory reads today's date: every date is fixed or passed in, so a test means the same on any
day it runs. Dates default to 2026-03-02, a Monday.
"""

from datetime import date

import factory
from django.contrib.auth.models import Group

import planner
from clinic.models import THERAPIST, Clinic, User
from ops.clinics import create_clinic
from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)
from protocols.models import Course, ProtocolTemplate, Session
from protocols.planning import clinic_calendar, rules_from_snapshot
from protocols.snapshot import template_snapshot

MONDAY = date(2026, 3, 2)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Clinic {n}")
    address = "1 Main Street"
    phone = "+1 555 0100"
    working_weekdays = [0, 1, 2, 3, 4, 5]

    @classmethod
    def _create(cls, model_class, *args, library=True, **kwargs):
        """Clinics are made the one way the app makes them (``ops.clinics.create_clinic``)."""
        return create_clinic(library=library, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Therapist{n}")
    clinic = factory.SubFactory(ClinicFactory)
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=extracted or THERAPIST))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Petrova{n}")
    birth_date = date(1956, 3, 14)
    phone = factory.Sequence(lambda n: f"+7 900 000 {n:04d}")


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    patient = factory.SubFactory(PatientFactory)
    kind = Condition.KNEE_ARTHROSIS
    stage = 2
    side = "left"


class ExacerbationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exacerbation

    condition = factory.SubFactory(ConditionFactory)
    patient = factory.SelfAttribute("condition.patient")
    start = date(2026, 11, 1)
    end = None


class PatientContraindicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientContraindication

    patient = factory.SubFactory(PatientFactory)
    kind = factory.LazyAttribute(
        lambda o: ContraindicationKind.objects.get(clinic=o.patient.clinic, code="fever")
    )
    start = date(2026, 11, 20)
    end = date(2026, 11, 24)


class CourseFactory(factory.django.DjangoModelFactory):
    """A course row as the database may hold it, written directly, not through the planner.

    ``CourseFactory(start=date(...), sessions=15)`` gives it sessions dated as the planner's R1
    and R3 would (the clinic's working days, ``cadence_days`` apart) but checks no other rule, so
    a test can set up any history: a completed course long ago, an overlapping one, cancelled
    sessions (``cancelled=[14, 15]``, by number). For a course checked by every rule, call
    ``protocols.services.create_course``.
    """

    class Meta:
        model = Course
        skip_postgeneration_save = True

    class Params:
        start = MONDAY
        slug = "knee-arthrosis-classic"

    patient = factory.SubFactory(PatientFactory)
    template = factory.LazyAttribute(
        lambda o: ProtocolTemplate.objects.get(clinic=o.patient.clinic, slug=o.slug)
    )
    template_snapshot = factory.LazyAttribute(lambda o: template_snapshot(o.template))
    cadence_days = 2
    status = Course.PLANNED
    # The first session: the sessions below keep it, as the services do.
    starts_on = factory.SelfAttribute("start")

    @factory.post_generation
    def sessions(obj, create, extracted, **kwargs):
        if not create or extracted == 0:
            return
        count = 15 if extracted is None else extracted
        calendar = clinic_calendar(obj.patient.clinic)
        dates = planner.session_dates(calendar, obj.starts_on, count, obj.cadence_days)
        rules = rules_from_snapshot(obj.template_snapshot)
        Session.objects.bulk_create(
            Session(
                course=obj,
                clinic_id=obj.patient.clinic_id,
                number=number,
                date=day,
                planned_minutes=planner.session_minutes(rules, number),
            )
            for number, day in enumerate(dates, 1)
        )
        obj.starts_on = dates[0]
        obj.save(update_fields=["starts_on"])

    @factory.post_generation
    def cancelled(obj, create, extracted, **kwargs):
        """Session numbers to mark cancelled; runs after ``sessions``, declared above it."""
        if create and extracted:
            obj.sessions.filter(number__in=extracted).update(status=Session.CANCELLED)
            live = obj.sessions.exclude(status=Session.CANCELLED).order_by("date").first()
            obj.starts_on = live and live.date
            obj.save(update_fields=["starts_on"])


class SessionFactory(factory.django.DjangoModelFactory):
    """One session; its course has no other sessions unless the test adds them."""

    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory, sessions=0)
    clinic = factory.LazyAttribute(lambda o: o.course.patient.clinic)
    number = factory.Sequence(lambda n: n + 1)
    date = MONDAY
    planned_minutes = 15
    status = Session.PLANNED
