"""Shared set-up for the workspace tests: a patient of clinic A with a running course."""

from datetime import timedelta

from django.utils import timezone

from clinic.models import Room, WorkingHours
from protocols.models import ProtocolTemplate
from protocols.services import create_course
from tests.factories import ConditionFactory, PatientFactory


def today():
    return timezone.localdate()


def next_working_day(day, clinic):
    while day.weekday() not in clinic.working_weekdays:
        day += timedelta(days=1)
    return day


def classic(clinic):
    return ProtocolTemplate.objects.get(clinic=clinic, slug="knee-arthrosis-classic")


def knee_patient(clinic, **kwargs):
    patient = PatientFactory(clinic=clinic, **kwargs)
    ConditionFactory(patient=patient, stage=2, side="left")
    return patient


def running_course(patient, therapist=None, start=None, cadence_days=2):
    return create_course(
        patient=patient,
        template=classic(patient.clinic),
        start=start or today(),
        cadence_days=cadence_days,
        therapist=therapist,
    )


def give_hours(therapist, *, hours=((540, 1080),), weekdays=range(6)):
    """Weekly hours for ``therapist`` (default Mon–Sat 09:00–18:00): courses get times."""
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=weekday, start=start, end=end)
        for weekday in weekdays
        for start, end in hours
    )


def give_rooms(clinic, *names):
    return [Room.objects.create(clinic=clinic, name=name, order=n) for n, name in enumerate(names)]
