from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from clinic import views

admin.site.site_header = _("Massage course planner")
admin.site.site_title = _("Massage course planner")
admin.site.index_title = _("Clinic administration")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The therapist's workspace comes next; until then the admin is the way in.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
]
