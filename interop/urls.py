from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [path("<int:pk>/fhir/", views.patient_fhir, name="patient_fhir")]
