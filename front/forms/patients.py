"""Forms of the therapist's workspace for patients and their clinical facts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import (
    Condition,
    ContraindicationKind,
    Exacerbation,
    Patient,
    PatientContraindication,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            *("first_name", "last_name", "birth_date", "phone", "email", "language", "notes"),
            *("contact_preference", "contact_consent_on", "contact_consent_source"),
        ]
        widgets = {
            "birth_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "contact_consent_on": DateInput(),
        }
        help_texts = {
            "contact_preference": _(
                "Reminders the day before each session, with links to confirm or cancel, and "
                "the handout by email. Only with the patient's consent."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_preference"].required = False  # left out: no messages

    def clean(self):
        data = super().clean()
        # Left out means no messages; the consent's checks are the model's (Patient.clean).
        data["contact_preference"] = data.get("contact_preference") or Patient.CONTACT_NONE
        self.instance.contact_preference = data["contact_preference"]
        return data


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
    condition = forms.ChoiceField(
        label=_("Condition"),
        required=False,
        choices=[("", _("Any condition")), *Condition.KIND_CHOICES],
    )
    archived = forms.BooleanField(label=_("Show archived"), required=False)

    def __init__(self, *args, clinical: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not clinical:  # conditions are clinical records: not a filter for the front desk
            del self.fields["condition"]


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ["kind", "stage", "kl_grade", "knee_tender", "joint", "side", "surgery_date"]
        fields += ["note"]
        widgets = {"surgery_date": DateInput()}


class ExacerbationForm(forms.ModelForm):
    class Meta:
        model = Exacerbation
        fields = ["condition", "start", "end", "note"]
        widgets = {"start": DateInput(), "end": DateInput()}
        help_texts = {"end": _("Leave empty while it is still going on.")}

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        self.fields["condition"].queryset = patient.conditions.all()
        self.fields["condition"].empty_label = None


class ContraindicationForm(forms.ModelForm):
    class Meta:
        model = PatientContraindication
        fields = ["kind", "start", "end", "note"]
        widgets = {"start": DateInput(), "end": DateInput()}
        help_texts = {"end": _("Leave empty while it is still going on.")}

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        self.fields["kind"].queryset = ContraindicationKind.objects.for_clinic(patient.clinic_id)


class EndPeriodForm(forms.Form):
    end = forms.DateField(label=_("Ended on"), widget=DateInput())

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period

    def clean_end(self):
        end = self.cleaned_data["end"]
        if not self.period.EARLIEST <= end <= self.period.LATEST:
            raise forms.ValidationError(self.period.OUT_OF_RANGE)
        if end < self.period.start:
            raise forms.ValidationError(
                _("The end cannot be before the start (%(start)s).")
                % {"start": self.period.start.isoformat()}
            )
        return end
