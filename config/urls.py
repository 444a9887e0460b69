from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from clinic import two_factor
from front.views import day

admin.site.site_header = _("Massage course planner")
admin.site.site_title = _("Massage course planner")
admin.site.index_title = _("Clinic administration")

urlpatterns = [
    path("", day.day, name="home"),
    path("healthz", day.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/language/", day.set_language, name="set_language"),
    path("accounts/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("patients/", include("front.urls.patients")),
    path("patients/", include("interop.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("front.urls.audit")),
    path("me/", include("front.urls.staff")),
    path("calendar/", include("front.urls.calendar")),
    path("", include("front.urls.courses")),
    path("admin/", admin.site.urls),
]
