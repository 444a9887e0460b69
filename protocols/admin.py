from django.contrib import admin
from django.db.models import Count

from clinic.admin import ClinicScopedAdminMixin, ClinicScopedInlineMixin
from protocols.models import Course, HandoutSection, ProtocolStep, ProtocolTemplate, Session


class ProtocolStepInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = ProtocolStep
    extra = 0
    fields = ["order", "phase", "body_area", "technique", "instruction", "repetitions"]


class HandoutSectionInline(ClinicScopedInlineMixin, admin.StackedInline):
    model = HandoutSection
    extra = 0
    fields = ["order", "title", "text"]


@admin.register(ProtocolTemplate)
class ProtocolTemplateAdmin(ClinicScopedAdminMixin, admin.ModelAdmin):
    clinic_owned = True
    list_display = ["name", "slug", "method_style", "sessions", "minutes", "active", "course_count"]
    list_filter = ["active", "method_style", "knee_sparing"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProtocolStepInline, HandoutSectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_total=Count("courses"))

    @admin.display(description="sessions")
    def sessions(self, obj):
        return f"{obj.min_sessions}–{obj.max_sessions}"

    @admin.display(description="minutes")
    def minutes(self, obj):
        return f"{obj.start_minutes} → {obj.target_minutes}"

    @admin.display(description="courses", ordering="course_total")
    def course_count(self, obj):
        return obj.course_total


class SessionInline(ClinicScopedInlineMixin, admin.TabularInline):
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
class CourseAdmin(ClinicScopedAdminMixin, admin.ModelAdmin):
    list_display = ["patient", "template", "status", "therapist", "created_at"]
    list_filter = ["status"]
    list_select_related = ["patient", "template", "therapist"]
    search_fields = ["patient__last_name", "patient__first_name"]
    readonly_fields = ["template_snapshot", "warnings", "created_by"]
    inlines = [SessionInline]

    def has_add_permission(self, request):
        return False  # courses are planned by the planner (plan_course, the workspace)
