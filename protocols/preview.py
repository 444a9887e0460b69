"""What a template would produce, for a sample patient: the planned dates and the handout.

Nothing is saved: the planner runs on the template's current values, and the handout is rendered
from a course and sessions that exist only in memory.
"""

from datetime import date, timedelta

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

import planner
from clinic.models import LANGUAGE_CHOICES, Clinic
from patients.models import Condition, Patient
from protocols.planning import (
    clinic_calendar,
    reason_as_dict,
    rules_from_template,
)
from protocols.snapshot import template_snapshot


def next_working_day(clinic: Clinic, after: date) -> date:
    day = after + timedelta(days=1)
    for _i in range(14):
        if day.weekday() in clinic.working_weekdays:
            return day
        day += timedelta(days=1)
    return day


class SamplePatientForm(forms.Form):
    """The sample patient's facts, read from the preview page's query string."""

    condition = forms.ChoiceField(label=_("condition"))
    stage = forms.TypedChoiceField(
        label=_("knee arthrosis stage"),
        coerce=int,
        choices=Condition.STAGE_CHOICES,
        required=False,
        empty_value=None,
    )
    start = forms.DateField(
        label=_("first session"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sessions = forms.IntegerField(
        label=_("sessions"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("Empty: the template's usual number."),
    )
    cadence_days = forms.IntegerField(
        label=_("days between sessions"),
        min_value=1,
        max_value=14,
        required=False,
        help_text=_("Empty: the template's."),
    )
    language = forms.ChoiceField(label=_("handout language"), choices=LANGUAGE_CHOICES)

    def __init__(self, data, *, template, clinic):
        self.template, self.clinic = template, clinic
        kinds = dict(Condition.KIND_CHOICES)
        conditions = template.conditions or [Condition.KNEE_ARTHROSIS]
        initial = {
            "condition": conditions[0],
            "stage": (template.stages or [1])[0]
            if Condition.KNEE_ARTHROSIS in conditions
            else None,
            "start": next_working_day(clinic, date.today()),
            "language": clinic.default_language,
        }
        # A preview opened without a query string shows the defaults at once.
        super().__init__({**initial, **data.dict()} if data else initial)
        self.fields["condition"].choices = [(c, kinds.get(c, c)) for c in conditions]

    def clean_start(self):
        start = self.cleaned_data["start"]
        today = date.today()
        if not today - timedelta(days=366) <= start <= today + timedelta(days=5 * 366):
            raise forms.ValidationError(
                _("Choose a first session within a year before or five years after today.")
            )
        return start

    def planner_condition(self) -> planner.Condition:
        kind = self.cleaned_data["condition"]
        start = self.cleaned_data["start"]
        return planner.Condition(
            kind=kind,
            stage=self.cleaned_data["stage"] if kind == Condition.KNEE_ARTHROSIS else None,
            joint="knee" if kind == Condition.ENDOPROSTHETICS else None,
            # Far enough back that the early post-operative period (R8) has passed.
            surgery_date=start - timedelta(days=self.template.postop_days)
            if kind == Condition.ENDOPROSTHETICS
            else None,
        )


def sample_plan(form: SamplePatientForm) -> planner.Plan | planner.Refusal:
    data = form.cleaned_data
    clinic = form.clinic
    calendar = (
        clinic_calendar(clinic, from_date=data["start"])
        if clinic.pk
        else planner.WorkingCalendar(working_weekdays=frozenset(clinic.working_weekdays))
    )
    return planner.plan(
        planner.PlanRequest(
            template=rules_from_template(form.template),
            start=data["start"],
            sessions=data["sessions"],
            cadence_days=data["cadence_days"],
            calendar=calendar,
            conditions=(form.planner_condition(),),
        )
    )


def sample_handout_html(form: SamplePatientForm, plan: planner.Plan, therapist) -> str:
    """The handout the template would give the sample patient (never saved)."""
    from protocols.documents import handout_html
    from protocols.models import Course, Session

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
