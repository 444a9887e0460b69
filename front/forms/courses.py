"""Forms of the therapist's workspace for courses and sessions."""

import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import planner
from clinic.models import User
from clinic.roles import BOOKS_FOR_COLLEAGUES
from clinic.selectors import bookable_staff
from core.fields import ClockTimeFormField
from core.texts import localized
from front.forms.patients import DateInput
from protocols.planning import rules_from_template
from protocols.services import check_start_window

CADENCE_CHOICES = [
    (1, _("daily (every working day)")),
    (2, _("every other day")),
    (3, _("every third day")),
    (7, _("once a week")),
]


class PlanCourseForm(forms.Form):
    template = forms.TypedChoiceField(label=_("Protocol template"), coerce=int)
    start = forms.DateField(label=_("First session on or after"), widget=DateInput())
    sessions = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Empty: the template's usual number."),
    )
    cadence_days = forms.TypedChoiceField(
        label=_("How often"), coerce=int, choices=CADENCE_CHOICES, required=False, empty_value=None
    )
    therapist = forms.ModelChoiceField(
        label=_("Therapist"), queryset=User.objects.none(), required=True, empty_label=None
    )
    preferred_time = ClockTimeFormField(
        label=_("Preferred time"),
        required=False,
        help_text=_(
            "HH:MM. Sessions are booked at this time where the therapist is free, else at the "
            "nearest free time that day."
        ),
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, patient, templates, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.user = user
        # A clinic admin books any colleague; a therapist books their own time.
        if user.has_perm(BOOKS_FOR_COLLEAGUES):
            colleagues = bookable_staff(patient.clinic_id)
            self.fields["therapist"].queryset = colleagues.order_by("last_name", "first_name")
            self.fields["therapist"].label_from_instance = lambda u: (
                u.get_full_name() or u.get_username()
            )
            self.initial.setdefault("therapist", user.pk)
        else:
            del self.fields["therapist"]
        conditions = [c.as_planner_condition() for c in patient.conditions.all()]
        self.templates = {t.pk: t for t in templates}
        suited, others = [], []
        for template in templates:
            applies = planner.template_applies(rules_from_template(template), conditions)
            (suited if applies else others).append((template.pk, localized(template, "name")))
        choices = []
        if suited:
            choices.append((_("Suits this patient"), suited))
        if others:
            choices.append((_("Other templates"), others))
        self.fields["template"].choices = choices
        self.fields["cadence_days"].choices = [("", _("as the template says")), *CADENCE_CHOICES]
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
            if suited:
                self.initial.setdefault("template", suited[0][0])

    def chosen_therapist(self):
        """The therapist the course is booked with: the chosen one, else the user."""
        return self.cleaned_data.get("therapist") or self.user

    def clean_template(self):
        return self.templates[self.cleaned_data["template"]]

    def clean_start(self):
        start = self.cleaned_data["start"]
        check_start_window(start)
        return start

    def clean(self):
        data = super().clean()
        template, sessions = data.get("template"), data.get("sessions")
        if (
            template
            and sessions
            and not (template.min_sessions <= sessions <= template.max_sessions)
        ):
            self.add_error(
                "sessions",
                _("This template allows from %(min)d to %(max)d sessions.")
                % {"min": template.min_sessions, "max": template.max_sessions},
            )
        return data


SKIP_REASONS = [
    ("pain", _("Severe pain on the day")),
    ("discomfort", _("Discomfort or feeling unwell")),
    ("clinic", _("Cancelled by the clinic")),
    ("other", _("Other (write in the note)")),
]


STALE_FORM = _("This page is out of date: open the course again and repeat the change.")


class CourseChangeForm(forms.Form):
    """A change to a course: carries the version of the course the page showed (hidden).

    See ``Course.version``: the change is refused if someone changed the course since.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def clean(self):
        data = super().clean()
        if self.errors.pop("version", None):  # a hidden field: say it where it is seen
            self.add_error(None, STALE_FORM)
        return data


class RecordSessionForm(CourseChangeForm):
    DONE, SKIPPED, NO_SHOW = "done", "skipped", "no_show"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(DONE, _("Done")), (SKIPPED, _("Skipped")), (NO_SHOW, _("Did not attend"))],
        widget=forms.RadioSelect,
        initial=DONE,
    )
    actual_minutes = forms.IntegerField(
        label=_("Minutes done"), required=False, min_value=1, max_value=180
    )
    pain_before = forms.IntegerField(
        label=_("Pain before (0–10)"), required=False, min_value=0, max_value=10
    )
    pain_after = forms.IntegerField(
        label=_("Pain after (0–10)"), required=False, min_value=0, max_value=10
    )
    skip_reason = forms.ChoiceField(
        label=_("Reason for skipping"), required=False, choices=[("", "—"), *SKIP_REASONS]
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The fields each outcome shows; the others are hidden on the page, so what they hold is
    # ignored (a number left in the hidden minutes field must not block a skipped session).
    FIELDS = {
        DONE: ("pain_before", "pain_after", "actual_minutes"),
        SKIPPED: ("pain_before", "skip_reason"),
        NO_SHOW: (),
    }
    OUTCOME_FIELDS = ("pain_before", "pain_after", "actual_minutes", "skip_reason")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            shown = self.FIELDS.get(data.get("outcome"), self.OUTCOME_FIELDS)
            for name in self.OUTCOME_FIELDS:
                if name not in shown:
                    data.pop(name, None)
        super().__init__(data, *args, **kwargs)
        # A native number field: a tablet opens its number pad, the arrow keys step 0–10.
        for name in ("pain_before", "pain_after", "actual_minutes"):
            self.fields[name].widget.attrs.update(inputmode="numeric", step=1)
            self.fields[name].widget.attrs["class"] = "record-number"

    def clean(self):
        data = super().clean()
        if data.get("outcome") == self.DONE:
            if not data.get("actual_minutes") and "actual_minutes" not in self.errors:
                self.add_error("actual_minutes", _("Enter how many minutes the session lasted."))
        elif data.get("outcome") == self.SKIPPED:
            if not data.get("skip_reason"):
                self.add_error("skip_reason", _("Say why the session was skipped."))
            elif data["skip_reason"] == "other" and not data.get("note"):
                self.add_error("note", _("Write the reason in the note."))
        return data

    def skip_reason_text(self) -> str:
        code = self.cleaned_data.get("skip_reason")
        label = str(dict(SKIP_REASONS).get(code, ""))
        if code == "other":
            return self.cleaned_data["note"][:300]
        return label


class ResumeForm(CourseChangeForm):
    start = forms.DateField(label=_("Resume on or after"), widget=DateInput())

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError(_("Plan at most a year ahead."))
        return start
