"""The handout a template would give the admin preview's sample patient (nothing is saved)."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

import planner
from documents.html import handout_html
from patients.models import Condition, Patient
from protocols.models import Course, Session
from protocols.planning import reason_as_dict
from protocols.preview import SamplePatientForm
from protocols.snapshot import template_snapshot


def sample_handout_html(form: SamplePatientForm, plan: planner.Plan, therapist) -> str:
    """The handout the template would give the sample patient (never saved)."""
    data = form.cleaned_data
    with translation.override(data["language"]):
        patient = Patient(
            clinic=form.clinic,
            first_name=str(_("Sample")),
            last_name=str(_("Patient")),
            language=data["language"],
        )
    course = Course(
        patient=patient,
        template=form.template,
        template_snapshot=template_snapshot(form.template),
        cadence_days=data["cadence_days"] or form.template.cadence_days,
        therapist=therapist,
        warnings=[reason_as_dict(r) for r in plan.warnings],
    )
    sessions = [
        Session(course=course, number=s.number, date=s.day, planned_minutes=s.minutes)
        for s in plan.sessions
    ]
    condition = form.planner_condition()
    conditions = [
        Condition(
            patient=patient, kind=condition.kind, stage=condition.stage, joint=condition.joint or ""
        )
    ]
    return handout_html(course, sessions=sessions, conditions=conditions)
