"""The therapist's workspace: the patient list, a patient's record and its clinical facts.

The front desk (Reception) opens the list and a patient's page too, but reads no clinical record
(``READS_CLINICAL_RECORDS``): its list has names, dates of birth and phones only, and its patient
page is a contact card with the upcoming appointments.
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.trail import record_view
from clinic.roles import READS_CLINICAL_RECORDS
from core.request import posted
from documents.charts import pain_chart
from front.decorators import clinic_member_required
from front.forms.patients import (
    ConditionForm,
    ContraindicationForm,
    EndPeriodForm,
    ExacerbationForm,
    PatientForm,
    PatientSearchForm,
)
from front.templatetags.appointments import appointment_time
from patients.models import Condition, Exacerbation, Patient, PatientContraindication
from patients.selectors import get_patient_for_user
from protocols.models import Course, Session
from protocols.moving import is_late_cancellation
from protocols.planning import next_course_window
from protocols.services import archive_patient, save_period

PAGE_SIZE = 25


@clinic_member_required
@permission_required("patients.view_patient", raise_exception=True)
def patient_list(request):
    clinical = request.user.has_perm(READS_CLINICAL_RECORDS)
    # Without the clinical record there is no condition to filter by (the field is not on the
    # form, so a condition in the address is ignored) and none to show.
    form = PatientSearchForm(request.GET or None, clinical=clinical)
    patients = Patient.objects.for_user(request.user)
    if clinical:
        patients = patients.prefetch_related(
            Prefetch("conditions", queryset=Condition.objects.order_by("kind", "pk"))
        )
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        for word in query.split():
            digits = "".join(ch for ch in word if ch.isdigit())
            match = Q(last_name__istartswith=word) | Q(first_name__istartswith=word)
            if len(digits) >= 3:
                match |= Q(phone__contains=digits) | Q(phone__contains=word)
            patients = patients.filter(match)
        if form.cleaned_data.get("condition"):
            patients = patients.filter(conditions__kind=form.cleaned_data["condition"]).distinct()
        if not form.cleaned_data["archived"]:
            patients = patients.filter(archived=False)
    else:
        patients = patients.filter(archived=False)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    if form.is_valid() and (form.cleaned_data["q"].strip() or form.cleaned_data.get("condition")):
        # A search is on the trail with how many it found (already counted), never whom.
        record_view(Patient, "search", clinic_id=request.user.clinic_id, found=page.paginator.count)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "patients/list.html",
        {
            "form": form,
            "page": page,
            "query_string": query_string.urlencode(),
            "clinical": clinical,
        },
    )


@clinic_member_required
@permission_required("patients.add_patient", raise_exception=True)
def patient_create(request):
    form = PatientForm(posted(request), initial={"language": request.user.clinic.default_language})
    form.instance.clinic = request.user.clinic
    if request.method == "POST" and form.is_valid():
        patient = form.save()
        messages.success(request, _("Patient %(name)s added.") % {"name": patient.full_name})
        return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": _("New patient")})


@clinic_member_required
@permission_required("patients.change_patient", raise_exception=True)
def patient_edit(request, pk):
    patient = get_patient_for_user(request.user, pk)
    form = PatientForm(posted(request), instance=patient)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("patients:detail", pk=patient.pk)
    return render(
        request,
        "patients/form.html",
        {"form": form, "patient": patient, "title": _("Edit %(name)s") % {"name": patient}},
    )


@require_POST
@clinic_member_required
@permission_required("patients.change_patient", raise_exception=True)
def patient_archive(request, pk):
    patient = get_patient_for_user(request.user, pk)
    archive = request.POST.get("archive") != "0"
    try:
        patient = archive_patient(patient=patient, archived=archive)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("patients:detail", pk=patient.pk)
    if archive:
        messages.success(request, _("%(name)s archived; the history is kept.") % {"name": patient})
    else:
        messages.success(request, _("%(name)s restored.") % {"name": patient})
    return redirect("patients:detail", pk=patient.pk)


@clinic_member_required
@permission_required("patients.view_patient", raise_exception=True)
def patient_detail(request, pk):
    patient = get_patient_for_user(request.user, pk)
    if not request.user.has_perm(READS_CLINICAL_RECORDS):
        record_view(patient, "contact card", clinic_id=patient.clinic_id, patient_id=patient.pk)
        return _contact_card(request, patient)
    record_view(patient, "patient", clinic_id=patient.clinic_id, patient_id=patient.pk)
    courses = list(
        Course.objects.filter(patient=patient)
        .select_related("therapist")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("number")))
        .order_by("-created_at")
    )
    for course in courses:
        live = [s for s in course.sessions.all() if s.status != Session.CANCELLED]
        course.first_date = live[0].date if live else None
        course.last_date = live[-1].date if live else None
        course.session_count = len(live)
        course.done_count = sum(s.status == Session.DONE for s in live)
    sessions = [s for course in courses for s in course.sessions.all()]
    conditions = list(patient.conditions.all())
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "conditions": conditions,
            "exacerbations": patient.exacerbations.select_related("condition"),
            "contraindications": patient.contraindications.select_related("kind"),
            "courses": courses,
            "chart": pain_chart(courses),
            "window": next_course_window(courses),
            "attendance": attendance(sessions, ZoneInfo(patient.clinic.time_zone)),
        },
    )


def attendance(sessions, zone) -> dict:
    """How often the patient did not come or cancelled, and how many of the cancellations came
    less than a day before the session (``protocols.moving.LATE_CANCELLATION``)."""
    cancelled = [s for s in sessions if s.status == Session.PATIENT_CANCELLED]
    return {
        "no_shows": sum(s.status == Session.NO_SHOW for s in sessions),
        "cancelled": len(cancelled),
        "late": sum(is_late_cancellation(s, zone) for s in cancelled),
    }


def _contact_card(request, patient):
    """The front desk's page of a patient: contact details and the upcoming appointments (the
    planned sessions from today on: date, time, therapist, room), no clinical record."""
    zone = patient.clinic.time_zone
    upcoming = list(
        Session.objects.for_user(request.user)
        .filter(course__patient=patient, status=Session.PLANNED, date__gte=timezone.localdate())
        .select_related("therapist", "room")
        .only(
            *("pk", "date", "starts_at", "ends_at", "number"),
            *("therapist__first_name", "therapist__last_name", "therapist__username"),
            "room__name",
        )
        .order_by("date", F("starts_at").asc(nulls_last=True), "number")
    )
    recorded = Session.objects.filter(
        course__patient=patient, status__in=(Session.NO_SHOW, Session.PATIENT_CANCELLED)
    ).only("status", "starts_at", "date", "recorded_at")
    for session in upcoming:
        session.when = appointment_time(zone, session.starts_at, session.ends_at)
        therapist = session.therapist
        session.therapist_name = (
            (therapist.get_full_name() or therapist.username) if therapist else "—"
        )
    return render(
        request,
        "patients/contact.html",
        {
            "patient": patient,
            "upcoming": upcoming,
            "attendance": attendance(recorded, ZoneInfo(zone)),
        },
    )


def _held_message(request, held):
    for course in held:
        messages.warning(
            request,
            _("The remaining sessions of “%(course)s” are on hold: %(reason)s.")
            % {"course": course.name, "reason": course.hold_reason},
        )


@clinic_member_required
@permission_required("patients.change_patient", raise_exception=True)
def condition_edit(request, pk, condition_pk=None):
    patient = get_patient_for_user(request.user, pk)
    condition = get_object_or_404(patient.conditions, pk=condition_pk) if condition_pk else None
    form = ConditionForm(posted(request), instance=condition)
    form.instance.patient = patient
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Condition saved."))
        return redirect("patients:detail", pk=patient.pk)
    title = _("Edit condition") if condition else _("Add a condition")
    return render(
        request, "patients/fact_form.html", {"form": form, "patient": patient, "title": title}
    )


PERIODS = {
    "exacerbations": (Exacerbation, ExacerbationForm),
    "contraindications": (PatientContraindication, ContraindicationForm),
}
PERIOD_TEXTS = {
    "exacerbations": {
        "new": gettext_lazy("Record an exacerbation"),
        "edit": gettext_lazy("Edit the exacerbation"),
        "saved": gettext_lazy("The exacerbation is saved."),
        "ended": gettext_lazy("The exacerbation is recorded as ended on %(date)s."),
    },
    "contraindications": {
        "new": gettext_lazy("Record a contraindication"),
        "edit": gettext_lazy("Edit the contraindication"),
        "saved": gettext_lazy("The contraindication is saved."),
        "ended": gettext_lazy("The contraindication is recorded as ended on %(date)s."),
    },
}


@clinic_member_required
@permission_required("patients.change_patient", raise_exception=True)
def period_edit(request, pk, kind, period_pk=None):
    patient = get_patient_for_user(request.user, pk)
    model, form_class = PERIODS[kind]
    texts = PERIOD_TEXTS[kind]
    period = get_object_or_404(model, patient=patient, pk=period_pk) if period_pk else None
    if kind == "exacerbations" and not patient.conditions.exists():
        messages.error(request, _("Add the condition first; an exacerbation belongs to one."))
        return redirect("patients:detail", pk=patient.pk)
    form = form_class(posted(request), instance=period, patient=patient)
    if request.method == "POST" and form.is_valid():
        held = save_period(form.save(commit=False))
        messages.success(request, texts["saved"])
        _held_message(request, held)
        return redirect("patients:detail", pk=patient.pk)
    title = texts["edit"] if period else texts["new"]
    return render(
        request, "patients/fact_form.html", {"form": form, "patient": patient, "title": title}
    )


@require_POST
@clinic_member_required
@permission_required("patients.change_patient", raise_exception=True)
def period_end(request, pk, kind, period_pk):
    patient = get_patient_for_user(request.user, pk)
    model, _form_class = PERIODS[kind]
    period = get_object_or_404(model, patient=patient, pk=period_pk)
    form = EndPeriodForm(request.POST, period=period)
    if form.is_valid():
        period.end = form.cleaned_data["end"]
        save_period(period)
        messages.success(
            request,
            PERIOD_TEXTS[kind]["ended"] % {"date": date_format(period.end, "DATE_FORMAT")},
        )
        if Course.objects.filter(patient=patient, status=Course.ON_HOLD).exists():
            messages.info(request, _("A course is on hold: open it to resume its sessions."))
    else:
        for error in form.errors.get("end", []):
            messages.error(request, error)
    return redirect(reverse("patients:detail", kwargs={"pk": patient.pk}) + "#facts")
