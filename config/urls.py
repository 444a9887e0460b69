from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from clinic import password_reset, two_factor
from front.views import day
from front.views import messages as patient_messages

admin.site.site_header = _("Massage course planner")
admin.site.site_title = _("Massage course planner")
admin.site.index_title = _("Clinic administration")

urlpatterns = [
    path("", day.day, name="home"),
    path("healthz", day.healthz, name="healthz"),
    path("accounts/login/", password_reset.sign_in, name="login"),
    path("accounts/password_reset/", password_reset.reset, name="password_reset"),
    path("accounts/password_reset/done/", password_reset.reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_reset.reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", password_reset.reset_complete, name="password_reset_complete"),
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
    path("r/<str:token>/", patient_messages.patient_link, name="patient_link"),
    path("outbox/", patient_messages.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", patient_messages.outbox_retry, name="outbox_retry"),
    path("", include("front.urls.courses")),
    path("admin/", admin.site.urls),
]
