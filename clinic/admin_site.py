"""The admin site: Django's, opened only to staff who may read clinical records.

The admin's patient pages show a patient's notes and clinical facts, and its patient list filters
by condition, so the front desk (Reception), which reads no clinical record, does not enter it at
all: it is sent to the admin's sign-in page, whatever its staff flag says. Installed as the
default site by ``config.apps.AdminConfig``.
"""

from django.contrib import admin

from clinic.roles import READS_CLINICAL_RECORDS


class ClinicAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and request.user.has_perm(READS_CLINICAL_RECORDS)
