"""Forms of the calendar: moving a session, no-shows and cancellations, absences and closures
over booked sessions."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import ClosedDate, User
from clinic.selectors import bookable_staff
from core.fields import ClockTimeFormField
from front.forms.courses import CourseChangeForm
from front.forms.patients import DateInput
from front.forms.staff import AbsenceForm
from protocols.models import Session

REACH = timedelta(days=2 * 366)  # a session moves at most about two years either way
OUT_OF_REACH = _("Choose a day within two years of today.")


def person(user) -> str:
    return user.get_full_name() or user.get_username()


def within_reach(day: date) -> bool:
    today = timezone.localdate()
    return today - REACH <= day <= today + REACH


def clean_reachable_date(form):
    day = form.cleaned_data["date"]
    if not within_reach(day):
        raise forms.ValidationError(OUT_OF_REACH)
    return day


class MoveForm(CourseChangeForm):
    """A new day and time for a session, and who gives it (a drop on the grid sends the same)."""

    date = forms.DateField(label=_("Day"), widget=DateInput())
    time = ClockTimeFormField(label=_("Time"), help_text=_("HH:MM, e.g. 10:30."))
    therapist = forms.ModelChoiceField(
        label=_("Given by"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["therapist"]
        field.queryset = (
            bookable_staff(clinic.pk)
            .filter(is_active=True)
            .order_by("last_name", "first_name", "username")
        )
        field.label_from_instance = person
        field.empty_label = _("the same therapist")

    clean_date = clean_reachable_date

    def clean_time(self):
        minutes = self.cleaned_data["time"]
        if minutes is not None and minutes >= 24 * 60:
            raise forms.ValidationError(_("A session starts before 24:00."))
        return minutes


class MoveRestForm(CourseChangeForm):
    date = forms.DateField(label=_("From"), widget=DateInput())
    time = ClockTimeFormField(label=_("At"), help_text=_("HH:MM, e.g. 10:30."))

    clean_time = MoveForm.clean_time
    clean_date = clean_reachable_date


class AttendanceForm(CourseChangeForm):
    status = forms.ChoiceField(
        label=_("What happened"),
        widget=forms.RadioSelect,
        choices=[
            (Session.NO_SHOW, _("The patient did not come")),
            (Session.PATIENT_CANCELLED, _("The patient cancelled")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Needed for a cancellation: what the patient said."),
    )


class CoverAbsenceForm(AbsenceForm):
    """An absence of a chosen therapist (the user themselves unless they may move anyone's)."""

    therapist = forms.ModelChoiceField(
        label=_("Therapist"), queryset=User.objects.none(), empty_label=None
    )
    field_order = ["therapist", "start", "end", "reason", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["therapist"]
        if user.has_perm("protocols.move_any_session"):
            field.queryset = (
                bookable_staff(user.clinic_id)
                .filter(is_active=True)
                .order_by("last_name", "first_name", "username")
            )
        else:
            field.queryset = User.objects.filter(pk=user.pk)
        field.label_from_instance = person
        self.initial.setdefault("therapist", user.pk)


class ClosureForm(forms.Form):
    date = forms.DateField(label=_("Closed on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=ClosedDate._meta.get_field("reason").max_length,
        help_text=_("For example: public holiday."),
    )
