"""The clinic's own admin page: here because a new clinic is made by ``create_clinic``."""

from django.contrib import admin

from clinic.admin import NotFoundMixin
from clinic.models import Clinic, ClosedDate, Room
from ops.clinics import create_clinic


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
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
