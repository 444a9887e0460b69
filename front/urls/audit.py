from django.urls import path

from front.views import audit as views

app_name = "audit"

urlpatterns = [
    path("patients/<int:pk>/", views.patient_trail, name="patient"),
]
