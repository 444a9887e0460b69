"""Patients and their clinical facts: conditions, exacerbations, contraindications."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import planner
from clinic.models import LANGUAGE_CHOICES, Clinic
from core.tenancy import ClinicScopedQuerySet
from core.texts import PlainTextModelMixin, localized


class PatientScopedQuerySet(ClinicScopedQuerySet):
    clinic_path = "patient__clinic"


class PeriodModel(models.Model):
    """A dated period: it covers start..end inclusive; no end means it still goes on."""

    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while it lasts."))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="%(app_label)s_%(class)s_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    # Dates a period can have: the planner counts months and days past them, which a date near
    # the year 9999 would overflow.
    EARLIEST = date(1900, 1, 1)
    LATEST = date(2199, 12, 31)
    OUT_OF_RANGE = _("Enter a date from 1900 to 2199.")

    def clean(self):
        super().clean()
        errors = {
            name: self.OUT_OF_RANGE
            for name in ("start", "end")
            if getattr(self, name) and not self.EARLIEST <= getattr(self, name) <= self.LATEST
        }
        if errors:
            raise ValidationError(errors)
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})

    def as_period(self) -> planner.Period:
        return planner.Period(start=self.start, end=self.end)


class Patient(models.Model):
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="patients", verbose_name=_("clinic")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=LANGUAGE_CHOICES,
        default="en",
        help_text=_("The language of the patient's handouts."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Messages to the patient (reminders, the handout by email) need their consent: the channel
    # they chose, when and how they gave it. Without a consent date nothing is sent.
    CONTACT_NONE, CONTACT_EMAIL, CONTACT_SMS = "none", "email", "sms"
    CONTACT_CHOICES = [
        (CONTACT_NONE, _("no messages")),
        (CONTACT_EMAIL, _("email")),
        (CONTACT_SMS, _("text message (SMS)")),
    ]
    CONSENT_SOURCES = [
        ("", "—"),
        ("signed", _("signed consent form")),
        ("verbal", _("said so at the clinic (noted by staff)")),
        ("phone", _("said so by phone (noted by staff)")),
        ("email", _("asked by email")),
    ]
    contact_preference = models.CharField(
        _("reminders and messages by"),
        max_length=10,
        choices=CONTACT_CHOICES,
        default=CONTACT_NONE,
    )
    contact_consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    contact_consent_source = models.CharField(
        _("how consent was given"), max_length=10, choices=CONSENT_SOURCES, blank=True
    )
    archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_("Archived patients are hidden from lists; their history is kept."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClinicScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["clinic", "last_name", "first_name"], name="patient_clinic_name"),
            models.Index(fields=["clinic", "phone"], name="patient_clinic_phone"),
        ]

    def __str__(self):
        return self.display_name(self.last_name, self.first_name)

    def get_absolute_url(self):
        return reverse("patients:detail", kwargs={"pk": self.pk})

    @property
    def message_address(self) -> str:
        """Where messages to the patient go ("" when they gave no consent to be contacted)."""
        if not self.contact_consent_on or self.archived:
            return ""
        if self.contact_preference == self.CONTACT_EMAIL:
            return self.email
        if self.contact_preference == self.CONTACT_SMS:
            return self.phone
        return ""

    @staticmethod
    def display_name(last_name: str, first_name: str) -> str:
        """How a patient is named on every page (also for rows read without the model)."""
        return f"{last_name} {first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def from_db(cls, db, field_names, values):
        patient = super().from_db(db, field_names, values)
        patient._loaded_clinic_id = patient.__dict__.get("clinic_id")
        return patient

    def clean(self):
        super().clean()
        errors = {}
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = _("The date of birth cannot be in the future.")
        errors |= self._consent_errors()
        if self._moves_clinic_with_sessions():
            errors["clinic"] = _(
                "This patient has sessions booked in their clinic and stays there. Add them to the "
                "other clinic as a new patient."
            )
        if errors:
            raise ValidationError(errors)

    def _moves_clinic_with_sessions(self) -> bool:
        """A patient's sessions belong to their clinic (the database holds them there)."""
        loaded = getattr(self, "_loaded_clinic_id", None)
        if loaded is None or loaded == self.clinic_id:
            return False
        return self.courses.filter(sessions__isnull=False).exists()

    def _consent_errors(self) -> dict:
        """Messages need the channel's address, the date consent was given and how (the
        workspace's form and the admin's both ask through here)."""
        if self.contact_preference == self.CONTACT_NONE:
            return {}
        errors = {}
        if self.contact_preference == self.CONTACT_EMAIL and not self.email:
            errors["email"] = _("Give the email address the patient agreed to be sent to.")
        if self.contact_preference == self.CONTACT_SMS and not self.phone:
            errors["phone"] = _("Give the mobile number the patient agreed to be texted.")
        if self.contact_consent_on is None:
            errors["contact_consent_on"] = _(
                "Messages need the patient's consent: give the date they agreed."
            )
        elif self.contact_consent_on > timezone.localdate():
            errors["contact_consent_on"] = _("Consent cannot be given on a future date.")
        if not self.contact_consent_source:
            errors["contact_consent_source"] = _("Say how the patient gave their consent.")
        return errors


class Condition(models.Model):
    KNEE_ARTHROSIS = planner.KNEE_ARTHROSIS
    ENDOPROSTHETICS = planner.ENDOPROSTHETICS
    SCIATICA = planner.SCIATICA
    INFLAMMATORY_ARTHRITIS = planner.INFLAMMATORY_ARTHRITIS
    KIND_CHOICES = [
        (KNEE_ARTHROSIS, _("Knee arthrosis")),
        (ENDOPROSTHETICS, _("After joint replacement (endoprosthetics)")),
        (SCIATICA, _("Sciatica")),
        (INFLAMMATORY_ARTHRITIS, _("Inflammatory (rheumatic) arthritis")),
    ]
    SIDE_CHOICES = [("left", _("left")), ("right", _("right")), ("both", _("both"))]
    JOINT_CHOICES = [("knee", _("knee")), ("hip", _("hip"))]
    STAGE_CHOICES = [(1, _("stage 1")), (2, _("stage 2")), (3, _("stage 3"))]

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("patient")
    )
    kind = models.CharField(_("condition"), max_length=32, choices=KIND_CHOICES)
    stage = models.PositiveSmallIntegerField(
        _("stage"),
        null=True,
        blank=True,
        choices=STAGE_CHOICES,
        help_text=_("Knee arthrosis: the three-degree (Kosinskaya) stage, 1 to 3."),
    )
    kl_grade = models.PositiveSmallIntegerField(
        _("Kellgren–Lawrence grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
        help_text=_("Optional, 0 to 4, as written in the X-ray report. Kept apart from the stage."),
    )
    side = models.CharField(_("side"), max_length=8, choices=SIDE_CHOICES, blank=True)
    joint = models.CharField(_("joint"), max_length=8, choices=JOINT_CHOICES, blank=True)
    surgery_date = models.DateField(_("surgery date"), null=True, blank=True)
    knee_tender = models.BooleanField(
        _("knee painful on touch"),
        default=False,
        help_text=_(
            "Knee arthrosis: when the knee hurts on touch, only knee-sparing templates apply."
        ),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PatientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["patient", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__isnull=True) | Q(stage__gte=1, stage__lte=3),
                name="condition_stage_1_to_3",
                violation_error_message=_("The stage is 1, 2 or 3."),
            ),
            models.CheckConstraint(
                condition=Q(kl_grade__isnull=True) | Q(kl_grade__gte=0, kl_grade__lte=4),
                name="condition_kl_grade_0_to_4",
                violation_error_message=_("The Kellgren–Lawrence grade is 0 to 4."),
            ),
        ]

    def __str__(self):
        label = self.get_kind_display()
        details = []
        if self.stage:
            details.append(str(self.get_stage_display()))
        if self.joint:
            details.append(str(self.get_joint_display()))
        if self.side:
            details.append(str(self.get_side_display()))
        return f"{label} ({', '.join(details)})" if details else str(label)

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.KNEE_ARTHROSIS:
            if self.stage is None:
                errors["stage"] = _("Knee arthrosis needs its stage (1, 2 or 3).")
            if not self.side:
                errors["side"] = _("Say which knee: left, right or both.")
        else:
            if self.stage is not None:
                errors["stage"] = _("A stage is recorded for knee arthrosis only.")
            if self.kl_grade is not None:
                errors["kl_grade"] = _(
                    "A Kellgren–Lawrence grade is recorded for knee arthrosis only."
                )
            if self.knee_tender:
                errors["knee_tender"] = _("This is recorded for knee arthrosis only.")
        if self.kind == self.ENDOPROSTHETICS:
            if not self.joint:
                errors["joint"] = _("Say which joint was replaced: knee or hip.")
            if not self.side:
                errors["side"] = _("Say which side was operated on.")
            if self.surgery_date is None:
                errors["surgery_date"] = _("The surgery date is needed to plan massage safely.")
            elif self.surgery_date > timezone.localdate():
                errors["surgery_date"] = _("The surgery date cannot be in the future.")
        else:
            if self.joint:
                errors["joint"] = _("A joint is recorded for joint replacement only.")
            if self.surgery_date is not None:
                errors["surgery_date"] = _("A surgery date is recorded for joint replacement only.")
        if self.kind == self.SCIATICA and not self.side:
            errors["side"] = _("Say which side the sciatica is on.")
        if errors:
            raise ValidationError(errors)

    def as_planner_condition(self) -> planner.Condition:
        return planner.Condition(
            kind=self.kind,
            stage=self.stage,
            side=self.side or None,
            joint=self.joint or None,
            surgery_date=self.surgery_date,
            knee_tender=self.knee_tender,
        )


class Exacerbation(PeriodModel):
    """A period when a condition flares up: no massage while it lasts (R6, R7)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="exacerbations", verbose_name=_("patient")
    )
    condition = models.ForeignKey(
        Condition,
        on_delete=models.CASCADE,
        related_name="exacerbations",
        verbose_name=_("condition"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = PatientScopedQuerySet.as_manager()

    class Meta(PeriodModel.Meta):
        verbose_name = _("exacerbation")
        verbose_name_plural = _("exacerbations")
        ordering = ["-start", "pk"]

    def __str__(self):
        return f"{self.condition.get_kind_display()}: {self.start} – {self.end or '…'}"

    def clean(self):
        super().clean()
        if self.condition_id and self.patient_id and self.condition.patient_id != self.patient_id:
            raise ValidationError({"condition": _("Choose one of this patient's conditions.")})


class ContraindicationKindQuerySet(ClinicScopedQuerySet):
    def default_library(self):
        return self.filter(clinic__isnull=True)


class ContraindicationKind(PlainTextModelMixin, models.Model):
    """An entry of the clinic's contraindication list: blocks planning (R9) or warns (R10)."""

    BLOCKS = planner.BLOCKS
    WARNS = planner.WARNS
    SEVERITY_CHOICES = [(BLOCKS, _("blocks massage")), (WARNS, _("warns only"))]

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contraindication_kinds",
        verbose_name=_("clinic"),
        help_text=_("Empty for the installed default list, which is copied into each clinic."),
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    patient_text = models.TextField(
        _("text for the patient"), blank=True, help_text=_("Shown on the patient's handout.")
    )
    patient_text_ru = models.TextField(_("text for the patient in Russian"), blank=True)
    staff_text = models.CharField(
        _("text for staff"),
        max_length=120,
        blank=True,
        help_text=_(
            "A few words for the therapist, shown after the name on the day page, the course page "
            "and the session sheet: “press lightly, watch for bruises”."
        ),
    )
    staff_text_ru = models.CharField(_("text for staff in Russian"), max_length=120, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=SEVERITY_CHOICES)

    objects = ContraindicationKindQuerySet.as_manager()

    class Meta:
        verbose_name = _("contraindication kind")
        verbose_name_plural = _("contraindication kinds")
        ordering = ["severity", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code"],
                name="contraindication_code_unique_per_clinic",
                violation_error_message=_("This code is already used in this clinic."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(clinic__isnull=True),
                name="contraindication_code_unique_in_library",
                violation_error_message=_("This code is already used in the default list."),
            ),
        ]

    def __str__(self):
        return localized(self, "name")  # in the reader's language: lists, choices, the admin

    def planner_translations(self) -> dict:
        """The Russian name, advice and staff text, as the planner copies them into its reasons."""
        return {
            "name_ru": self.name_ru,
            "advice_ru": self.patient_text_ru,
            "staff_ru": self.staff_text_ru,
        }


class PatientContraindication(PeriodModel):
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="contraindications",
        verbose_name=_("patient"),
    )
    kind = models.ForeignKey(
        ContraindicationKind,
        on_delete=models.PROTECT,
        related_name="patient_periods",
        verbose_name=_("contraindication"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = PatientScopedQuerySet.as_manager()

    class Meta(PeriodModel.Meta):
        verbose_name = _("contraindication")
        verbose_name_plural = _("contraindications")
        ordering = ["-start", "pk"]

    def __str__(self):
        return f"{self.kind.name}: {self.start} – {self.end or '…'}"

    def clean(self):
        super().clean()
        if self.kind_id and self.patient_id:
            kind_clinic = self.kind.clinic_id
            if kind_clinic is not None and kind_clinic != self.patient.clinic_id:
                raise ValidationError(
                    {"kind": _("Choose a contraindication of this clinic's list.")}
                )

    def as_planner_contraindication(self) -> planner.Contraindication:
        return planner.Contraindication(
            code=self.kind.code,
            name=self.kind.name,
            severity=self.kind.severity,
            period=self.as_period(),
            advice=self.kind.patient_text,
            staff=self.kind.staff_text,
            translations=self.kind.planner_translations(),
        )


def patient_scope(row) -> tuple[int | None, int | None]:
    """(clinic id, patient id) of a row that belongs to a patient: the audit trail's scope."""
    patient = row._state.fields_cache.get("patient")
    if patient is not None:
        return patient.clinic_id, patient.pk
    clinic_id = (
        Patient.objects.filter(pk=row.patient_id).values_list("clinic_id", flat=True).first()
    )
    return clinic_id, row.patient_id
