from django.urls import path, register_converter

from front.converters import PeriodKindConverter
from front.views import patients as views

app_name = "patients"


register_converter(PeriodKindConverter, "period_kind")

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/archive/", views.patient_archive, name="archive"),
    path("<int:pk>/conditions/new/", views.condition_edit, name="condition_new"),
    path("<int:pk>/conditions/<int:condition_pk>/", views.condition_edit, name="condition_edit"),
    path("<int:pk>/<period_kind:kind>/new/", views.period_edit, name="period_new"),
    path("<int:pk>/<period_kind:kind>/<int:period_pk>/", views.period_edit, name="period_edit"),
    path("<int:pk>/<period_kind:kind>/<int:period_pk>/end/", views.period_end, name="period_end"),
]
