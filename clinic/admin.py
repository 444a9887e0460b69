"""Admin for clinics and staff, and the clinic-scoping every admin page of the project uses."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from audit.registry import scope_of
from audit.trail import record_view
from clinic.models import (
    CLINIC_ADMIN,
    RECEPTION,
    THERAPIST,
    Absence,
    User,
    WorkingHours,
    overlapping_hours,
)
from clinic.services import check_absence
from core.fields import clock_text

# Models whose choices in admin forms must come from the user's own clinic, by lookup path.
SCOPED_CHOICES = {
    "patient": "clinic",
    "condition": "patient__clinic",
    "kind": "clinic",
    "template": "clinic",
    "therapist": "clinic",
    "course": "patient__clinic",
    "clinic": "pk",
}


class ClinicUniqueForm(forms.ModelForm):
    """A form for a clinic-owned model whose ``unique_field`` is unique within the clinic.

    The clinic is not on the form for clinic staff, so Django's own check of the
    (clinic, field) constraint is skipped; this check says it in the admin's words instead of
    failing on save. ``clinic_id`` is set per request by ``ClinicScopedAdminMixin.get_form``.
    """

    clinic_id = None
    unique_field = ""
    unique_message = ""  # with %(value)s

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get(self.unique_field)
        clinic = cleaned.get("clinic") if "clinic" in self.fields else None
        clinic_id = clinic.pk if clinic else (self.instance.clinic_id or self.clinic_id)
        if value:
            clash = self._meta.model.objects.filter(
                clinic_id=clinic_id, **{self.unique_field: value}
            )
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error(self.unique_field, self.unique_message % {"value": value})
        return cleaned


class NotFoundMixin:
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another clinic's record (or none at all): a plain 404, as everywhere else in the app,
        # rather than the admin's redirect with a message.
        raise Http404


class ClinicScopedAdminMixin(NotFoundMixin):
    """Show a member of staff only their clinic's rows and offer only their clinic's choices.

    The model's manager must provide ``for_user`` (see ``patients.models.ClinicScopedQuerySet``).
    ``clinic_owned`` models carry a ``clinic`` field that is filled in from the user.
    """

    clinic_owned = False

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self.clinic_owned and not request.user.is_superuser:
            exclude.append("clinic")
        return exclude

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.clinic_owned or request.user.is_superuser:
            return fieldsets

        def without_clinic(fields):
            kept = []
            for field in fields:
                if isinstance(field, (list, tuple)):
                    field = [f for f in field if f != "clinic"]
                    if field:
                        kept.append(tuple(field))
                elif field != "clinic":
                    kept.append(field)
            return kept

        return [
            (title, {**options, "fields": without_clinic(options["fields"])})
            for title, options in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if issubclass(form, ClinicUniqueForm):
            form = type(form.__name__, (form,), {"clinic_id": request.user.clinic_id})
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        path = SCOPED_CHOICES.get(db_field.name)
        if path and not request.user.is_superuser:
            queryset = kwargs.get("queryset") or db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = queryset.filter(
                **{f"{path}_id" if path != "pk" else "pk": request.user.clinic_id}
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if self.clinic_owned and not change and not request.user.is_superuser:
            obj.clinic_id = request.user.clinic_id
        super().save_model(request, obj, form, change)


class RecordViewsAdminMixin:
    """Opening a record's change page in the admin is an access event on the audit trail, as
    opening it in the workspace is (one insert; the record is already read)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not add and request.method == "GET":
            clinic_id, patient_id = scope_of(obj)
            record_view(obj, "admin", clinic_id=clinic_id, patient_id=patient_id)
        return super().render_change_form(request, context, add, change, form_url, obj)


class ClinicScopedInlineMixin(ClinicScopedAdminMixin):
    """Inlines are reached through their parent, which is already scoped."""

    def get_queryset(self, request):
        return super(ClinicScopedAdminMixin, self).get_queryset(request)


class WorkingHoursFormSet(forms.BaseInlineFormSet):
    """A weekday's intervals may not overlap (09:00–13:00 and 12:00–18:00 is refused)."""

    def clean(self):
        super().clean()
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.errors
        ]
        if clash := overlapping_hours(kept):
            earlier, later = clash
            raise forms.ValidationError(
                _(
                    "On %(weekday)s the hours %(first)s and %(second)s overlap: join them or make "
                    "one end before the other starts."
                )
                % {
                    "weekday": earlier.get_weekday_display(),
                    "first": f"{clock_text(earlier.start)}–{clock_text(earlier.end)}",
                    "second": f"{clock_text(later.start)}–{clock_text(later.end)}",
                }
            )


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    verbose_name_plural = _("working hours (a weekday may have several intervals)")


class AbsenceForm(forms.ModelForm):
    """The admin checks an absence by the same rules as the staff page (``check_absence``)."""

    def clean(self):
        data = super().clean()
        start, end, reason = data.get("start"), data.get("end"), data.get("reason")
        therapist_id = self.instance.therapist_id
        changed = self.has_changed() and not data.get("DELETE")
        if start and end and reason and therapist_id and changed:
            check_absence(
                therapist_id=therapist_id,
                start=start,
                end=end,
                reason=reason,
                exclude_pk=self.instance.pk,
            )
        return data


class AbsenceInline(admin.TabularInline):
    model = Absence
    form = AbsenceForm
    extra = 0


@admin.register(User)
class UserAdmin(NotFoundMixin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "clinic", "roles", "is_active"]
    list_filter = ["clinic", "groups", "is_active"]
    inlines = [WorkingHoursInline, AbsenceInline]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Clinic"), {"fields": ["clinic", "language"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Clinic"), {"fields": ["clinic", "first_name", "last_name", "groups", "language"]}),
    ]

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        # A clinic admin's list holds their clinic's staff only: no other clinic to filter by
        # (nor to learn the names of).
        return [name for name in self.list_filter if name != "clinic"]

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("groups").select_related("clinic")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(clinic_id=request.user.clinic_id, is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # A clinic admin manages the staff of their clinic: no superuser flag, no raw
        # permissions, no other clinic.
        hidden = {"is_superuser", "user_permissions", "clinic"}
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for title, options in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_superuser:
            return form
        clinic_id = request.user.clinic_id

        class InTheAdminsClinic(form):
            """The clinic is not on a clinic admin's form: new staff join the admin's clinic
            before the form is checked (every member of staff belongs to one)."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if self.instance.clinic_id is None:
                    self.instance.clinic_id = clinic_id

        return InTheAdminsClinic

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=[THERAPIST, CLINIC_ADMIN, RECEPTION])
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.clinic_id = request.user.clinic_id
            obj.is_superuser = False
            obj.is_staff = True
        super().save_model(request, obj, form, change)
