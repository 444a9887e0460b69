"""Named read queries of patients' records."""

from django.shortcuts import get_object_or_404

from patients.models import Patient


def get_patient_for_user(user, pk) -> Patient:
    """The patient ``pk`` if the user's clinic holds it; 404 otherwise (another clinic's too)."""
    return get_object_or_404(Patient.objects.for_user(user).select_related("clinic"), pk=pk)
