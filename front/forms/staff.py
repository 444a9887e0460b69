"""Forms of a member of staff's own page: their absences."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clinic.models import Absence
from front.forms.patients import DateInput


def _label(name):
    return capfirst(Absence._meta.get_field(name).verbose_name)


class AbsenceForm(forms.Form):
    """The days and reason of an absence; ``clinic.services`` checks and saves them."""

    start = forms.DateField(label=_label("start"), widget=DateInput())
    end = forms.DateField(
        label=_label("end"),
        widget=DateInput(),
        help_text=_("The last day away, the same as the first for a single day."),
    )
    reason = forms.ChoiceField(
        label=_label("reason"),
        choices=[(value, capfirst(label)) for value, label in Absence.REASON_CHOICES],
    )
    note = forms.CharField(
        label=_label("note"),
        required=False,
        max_length=Absence._meta.get_field("note").max_length,
    )

    @classmethod
    def for_absence(cls, data, absence: Absence):
        initial = {name: getattr(absence, name) for name in ("start", "end", "reason", "note")}
        return cls(data, initial=initial)
