"""The clinic's whole audit trail in the admin: read-only, and each clinic sees only its own."""

from auditlog.admin import LogEntryAdmin
from django.contrib import admin
from django.http import Http404

from audit.models import AuditEntry

# django-auditlog registers the entry model for every user alike; replace it with a scoped view.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(LogEntryAdmin):
    list_display = ["created", "resource_url", "action", "msg_short", "actor_name"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_name"]

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        if request.user.is_superuser:
            return entries
        return entries.filter(clinic_id=request.user.clinic_id).exclude(clinic_id=None)

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404
