"""The clinic's whole audit trail in the admin: read-only, and each clinic sees only its own.

Failed sign-ins are in it too: a clinic's admins see those naming their own staff, superusers
also those naming nobody (no clinic).
"""

from auditlog.admin import LogEntryAdmin
from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.trail import SIGN_IN_FAILED

# django-auditlog registers the entry model for every user alike; replace it with a scoped view.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(LogEntryAdmin):
    list_display = [
        "created",
        "resource_url",
        "action",
        "event",
        "msg_short",
        "actor_name",
        "remote_addr",
    ]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_name"]

    @admin.display(description=_("what"))
    def event(self, obj):
        data = obj.additional_data or {}
        if data.get("event") == SIGN_IN_FAILED:
            return _("Failed sign-in")
        return data.get("page") or data.get("document") or ""

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        if request.user.is_superuser:
            return entries
        return entries.filter(clinic_id=request.user.clinic_id).exclude(clinic_id=None)

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404
