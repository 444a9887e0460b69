"""Protocol templates (edited by clinic admins), and the courses and sessions planned from them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models import Clinic
from core.fields import ChoiceSetField
from core.tenancy import ClinicScopedQuerySet
from core.texts import BASE_LANGUAGE, LANGUAGES, PlainTextModelMixin, field_name, localized
from patients.models import Condition, Patient
from protocols.snapshot import TemplateSnapshot, text_path

METHOD_STYLE_CHOICES = [
    ("classic", _("Classic (Russian)")),
    ("swedish", _("Swedish")),
    ("finnish", _("Finnish")),
    ("shiatsu", _("Shiatsu")),
    ("eastern", _("Eastern")),
    ("deep_tissue", _("Deep tissue")),
    ("trigger_point", _("Trigger point")),
]


CADENCE_MESSAGE = _("Sessions are at least 1 day apart: enter 1 for daily, 2 for every other day.")
BREAK_MESSAGE = _("Courses are at least 1 month apart: enter 1 or more months.")
POSTOP_MESSAGE = _("Days after surgery cannot be negative: enter 0 or more.")
SESSIONS_MESSAGE = _("A course has at least 1 session.")
MINUTES_MESSAGE = _("A session lasts at least 1 minute.")


class ProtocolTemplateQuerySet(ClinicScopedQuerySet):
    def default_library(self):
        return self.filter(clinic__isnull=True)

    def active(self):
        return self.filter(active=True)


class ProtocolTemplate(PlainTextModelMixin, models.Model):
    """A course recipe: timings, the procedure step by step and the handout texts (all data)."""

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="protocol_templates",
        verbose_name=_("clinic"),
        help_text=_("Empty for the installed default library, which is copied into each clinic."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True)
    slug = models.SlugField(
        _("short name"),
        max_length=80,
        help_text=_("Letters, digits and hyphens; identifies the template in exported files."),
    )
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    method_style = models.CharField(
        _("method style"), max_length=20, choices=METHOD_STYLE_CHOICES, default="classic"
    )
    conditions = ChoiceSetField(
        _("conditions"),
        choices=Condition.KIND_CHOICES,
        blank=False,
        help_text=_("The template is offered for patients with one of these conditions."),
    )
    stages = ChoiceSetField(
        _("knee arthrosis stages"),
        coerce=int,
        max_length=20,
        choices=Condition.STAGE_CHOICES,
        help_text=_("For knee arthrosis: the stages it suits. None ticked means any stage."),
    )
    start_minutes = models.PositiveSmallIntegerField(
        _("first session, minutes"),
        default=7,
        validators=[MinValueValidator(1, MINUTES_MESSAGE)],
        error_messages={"min_value": MINUTES_MESSAGE},
    )
    step_minutes = models.PositiveSmallIntegerField(_("longer by, minutes per session"), default=1)
    target_minutes = models.PositiveSmallIntegerField(
        _("longest session, minutes"),
        default=15,
        validators=[MinValueValidator(1, MINUTES_MESSAGE)],
        error_messages={"min_value": MINUTES_MESSAGE},
    )
    min_sessions = models.PositiveSmallIntegerField(
        _("fewest sessions"),
        default=15,
        validators=[MinValueValidator(1, SESSIONS_MESSAGE)],
        error_messages={"min_value": SESSIONS_MESSAGE},
    )
    max_sessions = models.PositiveSmallIntegerField(
        _("most sessions"),
        default=20,
        validators=[MinValueValidator(1, SESSIONS_MESSAGE)],
        error_messages={"min_value": SESSIONS_MESSAGE},
    )
    default_sessions = models.PositiveSmallIntegerField(
        _("usual number of sessions"),
        default=15,
        validators=[MinValueValidator(1, SESSIONS_MESSAGE)],
        error_messages={"min_value": SESSIONS_MESSAGE},
    )
    cadence_days = models.PositiveSmallIntegerField(
        _("days between sessions"),
        default=1,
        validators=[MinValueValidator(1, CADENCE_MESSAGE)],
        error_messages={"min_value": CADENCE_MESSAGE},
        help_text=_("1 = daily, 2 = every other day, 7 = weekly."),
    )
    break_months = models.PositiveSmallIntegerField(
        _("break between courses, months"),
        default=1,
        validators=[MinValueValidator(1, BREAK_MESSAGE)],
        error_messages={"min_value": BREAK_MESSAGE},
    )
    postop_days = models.PositiveSmallIntegerField(
        _("days after surgery before massage"),
        default=21,
        validators=[MinValueValidator(0, POSTOP_MESSAGE)],
        error_messages={"min_value": POSTOP_MESSAGE},
        help_text=_("After joint replacement no massage is planned before this many days."),
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("minutes added to each booking"),
        default=10,
        validators=[MaxValueValidator(240)],
        help_text=_(
            "Undressing, positioning, notes and changeover: a booking lasts the massage minutes "
            "plus these, rounded up to the clinic's slot step."
        ),
    )
    knee_sparing = models.BooleanField(
        _("knee-sparing"), default=False, help_text=_("The knee joint itself is not massaged.")
    )
    in_warm_water = models.BooleanField(
        _("in warm water"), default=False, help_text=_("Massage in warm water (marked swelling).")
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive templates are not offered for new courses."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProtocolTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("protocol template")
        verbose_name_plural = _("protocol templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "slug"],
                name="template_slug_unique_per_clinic",
                violation_error_message=_("This short name is already used in this clinic."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(clinic__isnull=True),
                name="template_slug_unique_in_library",
                violation_error_message=_(
                    "This short name is already used in the default library."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start_minutes__lte=F("target_minutes")),
                name="template_start_not_above_target",
                violation_error_message=_("The first session cannot be longer than the longest."),
            ),
            models.CheckConstraint(
                condition=Q(min_sessions__lte=F("default_sessions"))
                & Q(default_sessions__lte=F("max_sessions")),
                name="template_session_counts_ordered",
                violation_error_message=_(
                    "The usual number of sessions must lie between the fewest and the most."
                ),
            ),
            models.CheckConstraint(
                condition=Q(cadence_days__gte=1) & Q(break_months__gte=1),
                name="template_cadence_and_break_positive",
                violation_error_message=_(
                    "Sessions are at least a day apart and courses at least a month apart."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # Only whole numbers are compared: a field that failed its own check is reported there.
        number = {
            name: value
            for name in (
                "start_minutes",
                "step_minutes",
                "target_minutes",
                "min_sessions",
                "default_sessions",
                "max_sessions",
            )
            if isinstance(value := getattr(self, name), int) and not isinstance(value, bool)
        }
        errors = {}
        start, step, target = (
            number.get(n) for n in ("start_minutes", "step_minutes", "target_minutes")
        )
        if start is not None and target is not None:
            if start > target:
                errors["start_minutes"] = _(
                    "The first session cannot be longer than the longest session."
                )
            elif start != target and step is not None and step < 1:
                errors["step_minutes"] = _(
                    "Sessions must grow by at least 1 minute to reach the longest session."
                )
        low, usual, high = (
            number.get(n) for n in ("min_sessions", "default_sessions", "max_sessions")
        )
        if low is not None and high is not None and low > high:
            errors["min_sessions"] = _("The fewest sessions cannot be more than the most.")
        elif None not in (low, usual, high) and not (low <= usual <= high):
            errors["default_sessions"] = _(
                "The usual number of sessions must lie between the fewest and the most."
            )
        if errors:
            raise ValidationError(errors)


class ProtocolStep(PlainTextModelMixin, models.Model):
    PHASE_CHOICES = [
        ("introductory", _("Introductory")),
        ("main", _("Main")),
        ("concluding", _("Concluding")),
    ]
    TECHNIQUE_CHOICES = [
        ("stroking", _("stroking")),
        ("squeezing", _("squeezing")),
        ("rubbing", _("rubbing")),
        ("kneading", _("kneading")),
        ("shaking", _("shaking")),
        ("vibration", _("vibration")),
        ("passive_movement", _("passive movement")),
        ("stretching", _("stretching")),
    ]

    template = models.ForeignKey(
        ProtocolTemplate, on_delete=models.CASCADE, related_name="steps", verbose_name=_("template")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    phase = models.CharField(_("phase"), max_length=20, choices=PHASE_CHOICES)
    body_area = models.CharField(_("body area"), max_length=120)
    body_area_ru = models.CharField(_("body area in Russian"), max_length=120, blank=True)
    technique = models.CharField(_("technique"), max_length=20, choices=TECHNIQUE_CHOICES)
    instruction = models.TextField(
        _("instruction"),
        blank=True,
        help_text=_("Plain text: a blank line starts a paragraph, “- ” starts a bullet."),
    )
    instruction_ru = models.TextField(_("instruction in Russian"), blank=True)
    repetitions = models.CharField(_("repetitions"), max_length=60, blank=True)
    repetitions_ru = models.CharField(_("repetitions in Russian"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return f"{self.get_phase_display()}: {self.body_area} — {self.get_technique_display()}"


class HandoutSection(PlainTextModelMixin, models.Model):
    template = models.ForeignKey(
        ProtocolTemplate,
        on_delete=models.CASCADE,
        related_name="handout_sections",
        verbose_name=_("template"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_ru = models.CharField(_("title in Russian"), max_length=200, blank=True)
    text = models.TextField(
        _("text"), help_text=_("Plain text: a blank line starts a paragraph, “- ” starts a bullet.")
    )
    text_ru = models.TextField(_("text in Russian"), blank=True)

    class Meta:
        verbose_name = _("handout section")
        verbose_name_plural = _("handout sections")
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return self.title


class TemplateVersion(models.Model):
    """One saved state of a template with its steps and handout sections (the export format).

    Every save in the admin, import, duplicate or restore adds a version; what changed is the
    difference between a version and the one before it.
    """

    template = models.ForeignKey(
        ProtocolTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("template"),
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("template data"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="template_version_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.template_id} v{self.number}"


class CourseQuerySet(ClinicScopedQuerySet):
    clinic_path = "patient__clinic"


SNAPSHOT_NAMES = [field_name("name", code) for code in LANGUAGES]


def snapshot_names(path: str = "") -> dict:
    """Annotations with only the names of the template as planned, ``snapshot_name`` etc.

    For lists that show a course by its name: the snapshot itself holds every step and handout
    text, too much to read and decode for each row (defer it, and ``keep_names`` the row).
    """
    return {
        f"snapshot_{name}": F(f"{path}template_snapshot__{text_path('name', code)}")
        for name, code in zip(SNAPSHOT_NAMES, LANGUAGES, strict=True)
    }


# Courses with sessions still to come: module-level, because the partial index in Course.Meta
# needs them, and a query uses that index only with exactly this list (``Course.RUNNING``).
_RUNNING = ("planned", "active", "on_hold")


class Course(models.Model):
    PLANNED, ACTIVE, ON_HOLD = _RUNNING
    RUNNING = _RUNNING
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (PLANNED, _("planned")),
        (ACTIVE, _("in progress")),
        (ON_HOLD, _("on hold")),
        (COMPLETED, _("completed")),
        (CANCELLED, _("cancelled")),
    ]
    # Courses in these states still hold their dates (R4 break between courses).
    HOLDING_DATES = (PLANNED, ACTIVE, ON_HOLD, COMPLETED)

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="courses", verbose_name=_("patient")
    )
    template = models.ForeignKey(
        ProtocolTemplate,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("template"),
    )
    template_snapshot = models.JSONField(
        _("template as planned"),
        help_text=_("The template exactly as it was when the course was planned."),
    )
    cadence_days = models.PositiveSmallIntegerField(
        _("days between sessions"), validators=[MinValueValidator(1)]
    )
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default=PLANNED)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("therapist"),
    )
    warnings = models.JSONField(
        _("warnings"), default=list, blank=True, help_text=_("R10 warnings found when planned.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned by"),
    )
    hold_reason = models.CharField(
        _("why on hold"),
        max_length=300,
        blank=True,
        help_text=_("Set when an exacerbation or a contraindication puts sessions on hold."),
    )
    request_token = models.UUIDField(
        _("planning request"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Identifies the form that planned this course, so a double submit saves once."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "Raised by every change to the course or its sessions; a form opened before a change "
            "is refused instead of overwriting it."
        ),
    )
    starts_on = models.DateField(
        _("first session"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The date of the first session not cancelled, kept up to date with the sessions: "
            "when the next course is due (R5) is counted from it."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # A patient's courses by status, and the start of their latest completed one (R5).
            models.Index(fields=["patient", "status", "starts_on"], name="course_patient_start"),
            # The few running courses among years of finished ones (the day page's holds).
            models.Index(
                fields=["patient"],
                condition=Q(status__in=_RUNNING),
                name="course_running",
            ),
        ]

    def __str__(self):
        return f"{self.patient} — {self.snapshot.text('name', BASE_LANGUAGE)}"

    def get_absolute_url(self):
        return reverse("protocols:course", kwargs={"pk": self.pk})

    @property
    def snapshot(self) -> TemplateSnapshot:
        """The template as it was when the course was planned (``protocols.snapshot``)."""
        return TemplateSnapshot.from_data(self.template_snapshot)

    @property
    def name(self) -> str:
        """The template's name as planned, in the active language."""
        names = getattr(self, "snapshot_names", None)
        return self.snapshot.text("name") if names is None else localized(names, "name")

    def keep_names(self, row) -> None:
        """Use the names ``snapshot_names()`` annotated on ``row`` (this course or its session)."""
        self.snapshot_names = {name: getattr(row, f"snapshot_{name}") for name in SNAPSHOT_NAMES}


def first_session_date(course=None):
    """A subquery: the date of the first session not cancelled of ``course`` (default: the row's).

    The sessions' (course, date, status) index answers it in a step or two.
    """
    return models.Subquery(
        Session.objects.filter(course=course if course is not None else models.OuterRef("pk"))
        .exclude(status=Session.CANCELLED)
        .order_by("date")
        .values("date")[:1]
    )


class SessionQuerySet(ClinicScopedQuerySet):
    clinic_path = "clinic"  # the patient's, held there by the database (migration 0019)


class Session(models.Model):
    PLANNED = "planned"
    DONE = "done"
    SKIPPED = "skipped"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"  # the patient did not come: not given, made up at the end
    PATIENT_CANCELLED = "patient_cancelled"  # called off by the patient: made up at the end
    STATUS_CHOICES = [
        (PLANNED, _("planned")),
        (DONE, _("done")),
        (SKIPPED, _("skipped")),
        (NO_SHOW, _("did not attend")),
        (PATIENT_CANCELLED, _("cancelled by the patient")),
        (ON_HOLD, _("on hold")),
        (CANCELLED, _("cancelled")),
    ]
    # Recorded: the session's day has passed for it, one way or another.
    RECORDED = (DONE, SKIPPED, NO_SHOW, PATIENT_CANCELLED)
    PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course")
    )
    # The course's patient's clinic, kept beside the course so that a clinic's sessions of a
    # period are read from one index (the reports, the calendar) rather than course by course.
    # Written with the session by whatever creates it; the database refuses a session whose
    # clinic is not its patient's, and a patient or a course with sessions moving to another
    # clinic (migration 0019).
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("clinic"),
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    date = models.DateField(_("date"))
    planned_minutes = models.PositiveSmallIntegerField(
        _("planned minutes"), validators=[MinValueValidator(1)]
    )
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=PLANNED)
    actual_minutes = models.PositiveSmallIntegerField(
        _("minutes done"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    pain_before = models.PositiveSmallIntegerField(
        _("pain before (0–10)"), null=True, blank=True, validators=PAIN_VALIDATORS
    )
    pain_after = models.PositiveSmallIntegerField(
        _("pain after (0–10)"), null=True, blank=True, validators=PAIN_VALIDATORS
    )
    note = models.TextField(_("note"), blank=True)
    skip_reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("Why the session was skipped, or why the patient cancelled it."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    # The appointment (R17): when, with whom, where. Stored in UTC, shown in the clinic's zone;
    # a session planned before the appointment book has none yet ("time to be agreed").
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="booked_sessions",
        verbose_name=_("therapist"),
        help_text=_("Who gives this session: the course's therapist, or a stand-in."),
    )
    room = models.ForeignKey(
        "clinic.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        help_text=_("Raised whenever the session moves; calendar files send it as SEQUENCE."),
    )
    # The patient's reminder (the day before) and their answer to it; a move clears both, so the
    # new time gets its own reminder.
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the patient"), null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["course", "number"]
        permissions = [
            ("view_calendar", _("Can see the clinic's calendar")),
            ("book_session", _("Can move sessions, cancel them for the patient, record no-shows")),
            ("move_any_session", _("Can move any therapist's sessions, not only their own")),
        ]
        indexes = [
            models.Index(fields=["date", "status"], name="session_date_status"),
            # A clinic's sessions of a period by status from the index alone (the reports).
            models.Index(fields=["clinic", "date", "status"], name="session_clinic_date_status"),
            # A course's session dates from the index alone: first and last dates of each
            # course (who is due, the break between courses) without reading the rows.
            models.Index(fields=["course", "date", "status"], name="session_course_date_status"),
            # A therapist's and a room's bookings in a window of time (placing a course, the
            # double-booking check): only that window is read, however long the history.
            models.Index(fields=["therapist", "starts_at"], name="session_therapist_start"),
            models.Index(fields=["room", "starts_at"], name="session_room_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"],
                name="session_number_unique_in_course",
                violation_error_message=_("This course already has a session with this number."),
            ),
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__gte=0, pain_before__lte=10),
                name="session_pain_before_0_to_10",
                violation_error_message=_("Pain is scored from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__gte=0, pain_after__lte=10),
                name="session_pain_after_0_to_10",
                violation_error_message=_("Pain is scored from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__gt=F("starts_at")),
                name="session_ends_after_it_starts",
                violation_error_message=_("An appointment ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=1)
                & (Q(actual_minutes__isnull=True) | Q(actual_minutes__gte=1)),
                name="session_minutes_positive",
                violation_error_message=_("A session lasts at least a minute."),
            ),
        ]

    def __str__(self):
        return f"#{self.number} {self.date:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if self.status == self.DONE and not self.actual_minutes:
            raise ValidationError(
                {"actual_minutes": _("Enter how many minutes the session lasted.")}
            )
        if self.status == self.SKIPPED and not self.skip_reason:
            raise ValidationError({"skip_reason": _("Say why the session was skipped.")})


class DocumentJob(models.Model):
    """A large document rendered in the background (a busy day's session sheets)."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    EXPIRED = "expired"
    STATUS_CHOICES = [
        (PENDING, _("waiting")),
        (RUNNING, _("rendering")),
        (DONE, _("ready")),
        (FAILED, _("failed")),
        (EXPIRED, _("deleted")),
    ]
    UNFINISHED = (PENDING, RUNNING)

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    language = models.CharField(max_length=5)
    session_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    error = models.CharField(max_length=300, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The heartbeat: every change of the job (queued, each sheet rendered, finished) sets it, so
    # the sweep tells a job whose worker died (no beat for PDF_STALL_SECONDS) from a slow one.
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = ClinicScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document job")
        verbose_name_plural = _("document jobs")

    def __str__(self):
        return f"{self.day:%Y-%m-%d}: {self.done}/{self.total} ({self.status})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@receiver([post_save, post_delete], sender=Session, dispatch_uid="protocols.course_starts_on")
def _keep_course_start(sender, instance, raw=False, **kwargs):
    """A session saved or deleted one by one (a form, the admin): its course's first date follows.

    The planner's bulk writes go around signals; they refresh it with the course's version
    (``services._bump``). A restore (``raw``) brings the course's stored date with it.
    """
    if raw:
        return
    Course.objects.filter(pk=instance.course_id).update(
        starts_on=first_session_date(instance.course_id)
    )
