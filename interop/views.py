"""A patient's record as a FHIR R4 Bundle, for those who may read the clinical record."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from clinic.roles import READS_CLINICAL_RECORDS
from interop.export import export_patient
from patients.selectors import get_patient_for_user


@require_GET
@login_required
@permission_required(READS_CLINICAL_RECORDS, raise_exception=True)
def patient_fhir(request, pk):
    patient = get_patient_for_user(request.user, pk)
    bundle = export_patient(patient)
    response = HttpResponse(
        json.dumps(bundle, ensure_ascii=False, indent=2), content_type="application/fhir+json"
    )
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-fhir.json"'
    response["Cache-Control"] = "private, no-store"
    return response
