"""The reports page's filters: a period, and optionally a template, a condition, a therapist."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils.translation import gettext_lazy as _

from core.texts import localized
from patients.models import Condition
from reports.selectors import LONGEST_PERIOD_DAYS, Filters, staff_names


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def condition_choices():
    choices = [("", _("Any condition"))]
    for kind, label in Condition.KIND_CHOICES:
        choices.append((kind, label))
        if kind == Condition.KNEE_ARTHROSIS:
            choices += [
                (f"{kind}:{stage}", f"{label}, {name}") for stage, name in Condition.STAGE_CHOICES
            ]
    return choices


class ReportFilterForm(forms.Form):
    """The choices are the clinic's templates and staff, read once (the report uses the same
    templates), so choosing one costs no query of its own."""

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("Until"), widget=DateInput())
    template = forms.TypedChoiceField(
        label=_("Template"), coerce=int, required=False, empty_value=None
    )
    condition = forms.ChoiceField(label=_("Condition"), choices=condition_choices, required=False)
    therapist = forms.TypedChoiceField(
        label=_("Therapist"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, data, *, clinic, today, templates):
        self.clinic = clinic
        first = today - relativedelta(years=1) + timedelta(days=1)
        values = {"start": first.isoformat(), "end": today.isoformat()}
        values.update({k: v for k, v in data.items() if v != "" or k not in values})
        super().__init__(values)
        for name, field in self.fields.items():  # Bootstrap's classes, without crispy's cost
            css = "form-control" if name in ("start", "end") else "form-select"
            field.widget.attrs["class"] = css
        names = sorted(
            ((t.pk, localized(t, "name")) for t in templates.values()), key=lambda c: c[1]
        )
        self.fields["template"].choices = [("", _("Any template")), *names]
        self.staff = staff_names(clinic.pk)  # the report's hours are counted for them too
        self.fields["therapist"].choices = [
            ("", _("Any therapist")),
            *(
                (pk, f"{first_name} {last_name}".strip() or username)
                for pk, first_name, last_name, username in self.staff
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The period ends before it starts."))
            elif (end - start).days >= LONGEST_PERIOD_DAYS:
                self.add_error("end", _("A report covers at most three years."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        kind, _sep, stage = (data.get("condition") or "").partition(":")
        return Filters(
            clinic_id=self.clinic.pk,
            start=data["start"],
            end=data["end"],
            template_id=data.get("template"),
            condition=kind or None,
            stage=int(stage) if stage else None,
            therapist_id=data.get("therapist"),
        )
