"""factory-boy factories for the models."""

from datetime import date

import factory
from django.contrib.auth.models import Group

from clinic.models import THERAPIST, Clinic, User
from ops.clinics import create_clinic
from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)


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
