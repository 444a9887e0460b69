"""The clinic's own admin page: here because a new clinic is made by ``create_clinic``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from clinic.admin import NotFoundMixin
from clinic.models import Clinic, ClosedDate, Room
from ops.clinics import create_clinic
from protocols.moving import booked_in_clinic


class ClosedDateForm(forms.ModelForm):
    """A closed day over booked sessions is made on the calendar's closure page, which moves
    each of them first; here it is refused with a pointer there."""

    def clean(self):
        data = super().clean()
        day = data.get("date")
        clinic_id = self.instance.clinic_id
        if day and clinic_id and self.has_changed() and not data.get("DELETE"):
            booked = booked_in_clinic(Clinic(pk=clinic_id), day)
            if booked:
                raise ValidationError(
                    ngettext(
                        "%(count)d session is booked on this day: close it on the calendar's "
                        "closure page, which moves the session first.",
                        "%(count)d sessions are booked on this day: close it on the calendar's "
                        "closure page, which moves the sessions first.",
                        booked,
                    )
                    % {"count": booked}
                )
        return data


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    form = ClosedDateForm
    extra = 1


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(NotFoundMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "default_language"]
    search_fields = ["name"]
    inlines = [ClosedDateInline, RoomInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk=request.user.clinic_id)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:  # a new clinic is made the one way, with its own copy of the default library
            create_clinic(clinic=obj)
