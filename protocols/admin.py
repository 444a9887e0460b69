"""The protocol library in the admin: templates with ordered steps and handout sections, their
versions, a preview for a sample patient, copies, and export and import as a file."""

from adminsortable2.admin import CustomInlineFormSet, SortableAdminBase, SortableStackedInline
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

import planner
from clinic.admin import (
    ClinicScopedAdminMixin,
    ClinicScopedInlineMixin,
    ClinicUniqueForm,
    RecordViewsAdminMixin,
)
from clinic.models import Clinic
from core.texts import LANGUAGES, field_name

# The handout preview prints a PDF: the one place where the library's admin reaches up into the
# documents app (an import-linter contract allows exactly this import).
from documents.pdf import RenderFailed, render_document
from documents.samples import sample_handout_html
from patients.models import Condition
from protocols import exchange
from protocols.models import (
    BREAK_MESSAGE,
    CADENCE_MESSAGE,
    MINUTES_MESSAGE,
    POSTOP_MESSAGE,
    SESSIONS_MESSAGE,
    Course,
    HandoutSection,
    ProtocolStep,
    ProtocolTemplate,
    Session,
    TemplateVersion,
)
from protocols.planning import reason_message
from protocols.preview import SamplePatientForm, sample_plan

SMALL_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 48})}}


class StepFormSet(CustomInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if not any(form.cleaned_data.get("phase") == "main" for form in kept):
            raise ValidationError(exchange.MAIN_STEP_MESSAGE)


class OrderedRowForm(forms.ModelForm):
    """A row the admin's drag handles order: a position sent empty keeps the row first rather
    than failing on save (the hidden field is not required)."""

    def clean_order(self):
        order = self.cleaned_data.get("order")
        return 0 if order is None else order


class ProtocolStepInline(ClinicScopedInlineMixin, SortableStackedInline):
    model = ProtocolStep
    form = OrderedRowForm
    formset = StepFormSet
    ordering = ["order"]
    extra = 0
    min_num = 1
    fields = [
        ("phase", "technique"),
        ("body_area", "body_area_ru"),
        ("instruction", "instruction_ru"),
        ("repetitions", "repetitions_ru"),
    ]
    formfield_overrides = SMALL_TEXT


class HandoutSectionInline(ClinicScopedInlineMixin, SortableStackedInline):
    model = HandoutSection
    form = OrderedRowForm
    ordering = ["order"]
    extra = 0
    fields = [("title", "title_ru"), ("text", "text_ru")]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 8, "cols": 48})}
    }


class ProtocolTemplateForm(ClinicUniqueForm):
    """The template form, with a message for every rule an admin can break."""

    unique_field = "slug"
    unique_message = _("Another template of this clinic already has the short name “%(value)s”.")

    class Meta:
        model = ProtocolTemplate
        fields = [  # the admin narrows this to its fieldsets
            "clinic",
            "slug",
            *(field_name(name, code) for name in exchange.TEMPLATE_TEXTS for code in LANGUAGES),
            *exchange.TEMPLATE_VALUES,
        ]
        error_messages = {
            "start_minutes": {"min_value": MINUTES_MESSAGE},
            "target_minutes": {"min_value": MINUTES_MESSAGE},
            "min_sessions": {"min_value": SESSIONS_MESSAGE},
            "max_sessions": {"min_value": SESSIONS_MESSAGE},
            "default_sessions": {"min_value": SESSIONS_MESSAGE},
            "cadence_days": {"min_value": CADENCE_MESSAGE},
            "break_months": {"min_value": BREAK_MESSAGE},
            "postop_days": {"min_value": POSTOP_MESSAGE},
        }


class ConditionFilter(admin.SimpleListFilter):
    title = _("condition")
    parameter_name = "condition"

    def lookups(self, request, model_admin):
        return Condition.KIND_CHOICES

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(conditions__contains=self.value())
        return queryset


class StageFilter(admin.SimpleListFilter):
    title = _("knee arthrosis stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return Condition.STAGE_CHOICES

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(conditions__contains=Condition.KNEE_ARTHROSIS).filter(
                models.Q(stages__contains=self.value()) | models.Q(stages="")
            )
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Protocol library file (.json)"),
        help_text=_("A file written by “Export” here or by manage.py export_protocols."),
    )
    clinic = forms.ModelChoiceField(
        label=_("clinic"), queryset=Clinic.objects.all(), required=False
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB; a protocol library is smaller."))
        return upload


@admin.register(ProtocolTemplate)
class ProtocolTemplateAdmin(ClinicScopedAdminMixin, SortableAdminBase, admin.ModelAdmin):
    clinic_owned = True
    form = ProtocolTemplateForm
    list_display = [
        "name",
        "slug",
        "condition_list",
        "sessions",
        "minutes",
        "active",
        "course_count",
        "updated_at",
    ]
    list_filter = [ConditionFilter, StageFilter, "active", "method_style"]
    search_fields = ["name", "name_ru", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProtocolStepInline, HandoutSectionInline]
    actions = ["duplicate", "export", "deactivate", "activate"]
    formfield_overrides = SMALL_TEXT
    fieldsets = [
        (
            None,
            {"fields": ["clinic", ("name", "name_ru"), "slug", ("description", "description_ru")]},
        ),
        (_("Who it is for"), {"fields": ["conditions", "stages", "method_style"]}),
        (
            _("Timings"),
            {
                "fields": [
                    ("start_minutes", "step_minutes", "target_minutes"),
                    ("min_sessions", "default_sessions", "max_sessions"),
                    ("cadence_days", "break_months", "postop_days"),
                    "buffer_minutes",
                ]
            },
        ),
        (_("Variant"), {"fields": ["knee_sparing", "in_warm_water", "active"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_total=Count("courses"))

    @admin.display(description=_("conditions"))
    def condition_list(self, obj):
        kinds = dict(Condition.KIND_CHOICES)
        return ", ".join(str(kinds.get(c, c)) for c in obj.conditions)

    @admin.display(description=_("sessions"))
    def sessions(self, obj):
        return f"{obj.min_sessions}–{obj.max_sessions}"

    @admin.display(description=_("minutes"))
    def minutes(self, obj):
        return f"{obj.start_minutes} → {obj.target_minutes}"

    @admin.display(description=_("courses"), ordering="course_total")
    def course_count(self, obj):
        return obj.course_total

    # --- Saving: every save is a version --------------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        note = _("Edited in the admin") if change else _("Created in the admin")
        exchange.record_version(form.instance, request.user, str(note))

    # --- Deleting: only what no course uses -----------------------------------------------

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.courses.exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        used = queryset.filter(courses__isnull=False).distinct()
        if used.exists():  # the confirmation page lists them as protected; never reached
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    # --- Actions -------------------------------------------------------------------------

    @admin.action(description=_("Duplicate the selected templates"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [exchange.duplicate_template(t, request.user) for t in queryset]
        self.message_user(
            request,
            ngettext(
                "Made %(count)d copy, not yet active: %(names)s.",
                "Made %(count)d copies, not yet active: %(names)s.",
                len(copies),
            )
            % {"count": len(copies), "names": ", ".join(c.name for c in copies)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected templates as a file"), permissions=["view"])
    def export(self, request, queryset):
        clinic = request.user.clinic
        document = exchange.export_document(
            queryset.order_by("slug"),
            clinic.contraindication_kinds.order_by("code") if clinic else [],
        )
        response = HttpResponse(exchange.dumps(document), content_type="application/json")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="protocols-{stamp}.json"'
        return response

    @admin.action(
        description=_("Deactivate: no longer offered for new courses"), permissions=["change"]
    )
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Activate: offered for new courses"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, active: bool):
        changed = 0
        for template in queryset.filter(active=not active):
            template.active = active
            template.save(update_fields=["active", "updated_at"])
            exchange.record_version(
                template, request.user, str(_("Activated") if active else _("Deactivated"))
            )
            changed += 1
        self.message_user(
            request,
            ngettext("%(count)d template changed.", "%(count)d templates changed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    # --- Extra pages ---------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="protocols_protocoltemplate_import"),
            path(
                "<path:object_id>/versions/<int:number>/",
                wrap(self.version_view),
                name="protocols_protocoltemplate_version",
            ),
            path(
                "<path:object_id>/preview/handout.pdf",
                wrap(self.preview_pdf_view),
                name="protocols_protocoltemplate_preview_pdf",
            ),
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_view),
                name="protocols_protocoltemplate_preview",
            ),
            *super().get_urls(),
        ]

    def _template(self, request, object_id, permission="view"):
        template = self.get_object(request, object_id)
        if template is None:
            raise Http404
        allowed = {
            "view": self.has_view_permission,
            "change": self.has_change_permission,
        }[permission](request, template)
        if not allowed:
            raise PermissionDenied
        return template

    def _context(self, request, template, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": template,
            "title": title,
            "has_change_permission": self.has_change_permission(request, template),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        """The admin's "History" button: the template's versions, newest first."""
        template = self._template(request, object_id)
        versions = list(template.versions.select_related("author"))
        rows = []
        for version, previous in zip(versions, [*versions[1:], None], strict=True):
            changes = exchange.differences(previous.data, version.data) if previous else []
            rows.append({"version": version, "previous": previous, "changes": changes})
        return render(
            request,
            "admin/protocols/protocoltemplate/versions.html",
            self._context(
                request, template, _("Versions of “%(name)s”") % {"name": template}, rows=rows
            ),
        )

    def version_view(self, request, object_id, number):
        """One version against another (``?against=N``; default the one before), and restore."""
        template = self._template(request, object_id)
        version = get_object_or_404(TemplateVersion, template=template, number=number)
        if request.method == "POST":
            if not self.has_change_permission(request, template):
                raise PermissionDenied
            restored = exchange.restore_version(version, request.user)
            if restored is None:
                self.message_user(request, _("The template already matches this version."))
            else:
                self.message_user(
                    request,
                    _("Version %(old)s restored as version %(new)s.")
                    % {"old": version.number, "new": restored.number},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(
                reverse("admin:protocols_protocoltemplate_history", args=[template.pk])
            )
        others = template.versions.exclude(pk=version.pk)
        try:
            against_number = int(request.GET.get("against", ""))
        except ValueError:
            against_number = None
        if against_number is not None:
            against = get_object_or_404(others, number=against_number)
        else:
            against = others.filter(number__lt=version.number).order_by("-number").first()
        current = exchange.template_data(template)
        return render(
            request,
            "admin/protocols/protocoltemplate/version.html",
            self._context(
                request,
                template,
                _("Version %(number)s of “%(name)s”")
                % {"number": version.number, "name": template},
                version=version,
                against=against,
                others=others.order_by("-number"),
                changes=exchange.differences(against.data, version.data) if against else [],
                changes_since=exchange.differences(version.data, current),
            ),
        )

    def _preview_form(self, request, template):
        clinic = template.clinic or request.user.clinic or Clinic(name=str(_("Sample clinic")))
        return SamplePatientForm(request.GET, template=template, clinic=clinic)

    def preview_view(self, request, object_id):
        template = self._template(request, object_id)
        form = self._preview_form(request, template)
        context = {"form": form, "plan": None, "refusal": None}
        if form.is_valid():
            plan = sample_plan(form)
            if isinstance(plan, planner.Refusal):
                context["refusal"] = {
                    "reasons": [(r.rule, reason_message(r)) for r in plan.reasons],
                    "earliest_start": plan.earliest_start,
                }
            else:
                context["plan"] = plan
                context["warnings"] = [(r.rule, reason_message(r)) for r in plan.warnings]
                context["total_minutes"] = sum(s.minutes for s in plan.sessions)
        return render(
            request,
            "admin/protocols/protocoltemplate/preview.html",
            self._context(
                request,
                template,
                _("Preview of “%(name)s”") % {"name": template},
                query=request.GET.urlencode(),
                **context,
            ),
        )

    def preview_pdf_view(self, request, object_id):
        template = self._template(request, object_id)
        form = self._preview_form(request, template)
        if not form.is_valid():
            return HttpResponse(
                _("The sample patient's facts are not valid; correct them on the preview page."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        plan = sample_plan(form)
        if isinstance(plan, planner.Refusal):
            return HttpResponse(
                _("The planner refuses this sample course, so there is no handout to show."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        try:
            pdf = render_document(sample_handout_html(form, plan, request.user))
        except RenderFailed as failed:
            return HttpResponse(
                failed.message, status=503, content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-{template.slug}.pdf"'
        return response

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if not request.user.is_superuser:
            del form.fields["clinic"]
        errors, result = [], None
        if request.method == "POST" and form.is_valid():
            clinic = form.cleaned_data.get("clinic") or request.user.clinic
            if clinic is None:
                form.add_error(
                    "clinic" if "clinic" in form.fields else None,
                    _("Your account belongs to no clinic, so there is nothing to import into."),
                )
            else:
                upload = form.cleaned_data["file"]
                try:
                    document = exchange.parse_json(upload.read())
                    result = exchange.import_document(
                        document,
                        clinic,
                        request.user,
                        str(_("Imported from %(file)s") % {"file": upload.name}),
                    )
                except exchange.ImportRejected as rejected:
                    errors = rejected.errors
                else:
                    self.message_user(request, result.summary(), messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:protocols_protocoltemplate_changelist")
                    )
        return render(
            request,
            "admin/protocols/protocoltemplate/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Import protocol templates"),
                "form": form,
                "errors": errors,
            },
        )


class ReadOnlyAdminMixin:
    """Shown, never written: courses are planned, recorded and changed in the workspace, whose
    services keep the rules (R1-R18), the course's version and its audit trail. This holds for
    every user, a superuser included, whatever their model permissions say (therapists hold
    change_course and change_session for the workspace)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SessionInline(ReadOnlyAdminMixin, ClinicScopedInlineMixin, admin.TabularInline):
    model = Session
    extra = 0
    fields = [
        "number",
        "date",
        "planned_minutes",
        "status",
        "actual_minutes",
        "pain_before",
        "pain_after",
        "skip_reason",
    ]


@admin.register(Course)
class CourseAdmin(
    RecordViewsAdminMixin, ReadOnlyAdminMixin, ClinicScopedAdminMixin, admin.ModelAdmin
):
    list_display = ["patient", "template", "status", "therapist", "created_at"]
    list_filter = ["status"]
    list_select_related = ["patient", "template", "therapist"]
    search_fields = ["patient__last_name", "patient__first_name"]
    inlines = [SessionInline]

    def get_queryset(self, request):
        # With the patient: the page names them, and its access event is theirs.
        return super().get_queryset(request).select_related("patient")
