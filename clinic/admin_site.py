"""The admin site: Django's, opened only to staff who may read clinical records.

The admin's patient pages show a patient's notes and clinical facts, and its patient list filters
by condition, so the front desk (Reception), which reads no clinical record, does not enter it at
all: it is sent to the admin's sign-in page, whatever its staff flag says. Installed as the
default site by ``config.apps.AdminConfig``.

Its "view on site" shortcut (``/admin/r/<content type>/<id>/``) redirects only to a record the
user's admin pages show: another clinic's record is a 404, as a record that does not exist is,
instead of a redirect that would confirm it exists.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path

from clinic.roles import READS_CLINICAL_RECORDS


class ClinicAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and request.user.has_perm(READS_CLINICAL_RECORDS)

    def get_urls(self):
        urls = super().get_urls()
        scoped = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [scoped if getattr(url, "name", None) == "view_on_site" else url for url in urls]

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        try:
            if not model_admin.get_queryset(request).filter(pk=object_id).exists():
                raise Http404
        except (ValueError, TypeError):
            raise Http404 from None
        return shortcut(request, content_type_id, object_id)
