"""The clinic (tenant) with its working days, time zone, rooms and staff, and the staff's hours."""

import datetime
import itertools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.fields import DAY_MINUTES, ChoiceSetField, ClockTimeField, clock_text

LANGUAGE_CHOICES = [("en", _("English")), ("ru", _("Russian"))]

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

SLOT_STEPS = (5, 10, 15, 20, 30, 60)
SLOT_MINUTES_CHOICES = [(m, str(m)) for m in SLOT_STEPS]
DEFAULT_SLOT_MINUTES = 15


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name; use one such as Europe/Moscow."),
            params={"value": value},
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


THERAPIST = "Therapist"
CLINIC_ADMIN = "Clinic admin"
RECEPTION = "Reception"  # the front desk: the calendar and contacts, no clinical record


def default_reminder_time() -> datetime.time:
    """18:00. A callable, not a fixed time: Django's check warns about a fixed time default that
    happens to fall within ten seconds of the moment it runs."""
    return datetime.time(18, 0)


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    working_weekdays = ChoiceSetField(
        _("working days"),
        coerce=int,
        max_length=20,
        blank=False,
        choices=WEEKDAY_CHOICES,
        default=[0, 1, 2, 3, 4, 5],
        help_text=_("Sessions are planned on these weekdays only."),
    )
    default_language = models.CharField(
        _("default language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Appointment times are shown in this zone, e.g. Europe/Moscow."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot step, minutes"),
        choices=SLOT_MINUTES_CHOICES,
        default=DEFAULT_SLOT_MINUTES,
        help_text=_("Appointments start on this step and last a whole number of steps."),
    )
    reminder_time = models.TimeField(
        _("reminders sent at"),
        default=default_reminder_time,
        help_text=_(
            "Patients who agreed to messages get a reminder at this time the day before each "
            "session (the clinic's time zone)."
        ),
    )
    reminder_note = models.CharField(
        _("extra line in reminders"),
        max_length=300,
        blank=True,
        help_text=_("E.g. where to park or which entrance to use. Shown to patients as written."),
    )
    two_factor_required = models.BooleanField(
        _("two-factor sign-in required for everyone"),
        default=False,
        help_text=_(
            "Every member of staff then sets up an authenticator app at their next sign-in, and "
            "cannot turn it off."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.working_weekdays:
            raise ValidationError(
                {"working_weekdays": _("A clinic needs at least one working day a week.")}
            )


class ClosedDate(models.Model):
    """A day the clinic is closed although it is a working weekday (a holiday)."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="closed_dates", verbose_name=_("clinic")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed date")
        verbose_name_plural = _("closed dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "date"], name="closed_date_unique_per_clinic")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class User(AbstractUser):
    """A member of staff. Everyone but a superuser belongs to exactly one clinic."""

    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("clinic"),
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text=_("The language of the pages for this user; empty means the clinic's."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def clean(self):
        super().clean()
        if not self.is_superuser and self.clinic_id is None:
            raise ValidationError({"clinic": _("Every member of staff belongs to a clinic.")})

    def has_role(self, role: str) -> bool:
        return any(group.name == role for group in self.groups.all())

    @property
    def is_clinic_admin(self) -> bool:
        return self.is_superuser or self.has_role(CLINIC_ADMIN)

    @property
    def is_therapist(self) -> bool:
        return self.has_role(THERAPIST)


# --- The clinic's time: rooms, staff hours, absences ----------------------------------------


class Room(models.Model):
    """A treatment room. A clinic without rooms books without them."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("clinic")
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="room_name_unique_per_clinic")
        ]

    def __str__(self):
        return self.name


class WorkingHours(models.Model):
    """One interval of a therapist's week, e.g. Monday 09:00–13:00 (a weekday may have several)."""

    therapist = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("therapist")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = ClockTimeField(_("from"), validators=[MaxValueValidator(DAY_MINUTES)])
    end = ClockTimeField(_("until"), validators=[MaxValueValidator(DAY_MINUTES)])

    ENDS_BEFORE_START = _("The hours end before they start: the end must be after %(start)s.")

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["therapist", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end"), end__lte=DAY_MINUTES),
                name="working_hours_start_before_end",
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {clock_text(self.start)}–{clock_text(self.end)}"

    def clean(self):
        super().clean()
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError(
                {"end": self.ENDS_BEFORE_START % {"start": clock_text(self.start)}}
            )


def overlapping_hours(intervals) -> tuple | None:
    """The first two of ``intervals`` (objects with weekday, start, end) that overlap, or None."""
    by_day = sorted(
        (i for i in intervals if i.start is not None and i.end is not None),
        key=lambda i: (i.weekday, i.start),
    )
    for earlier, later in itertools.pairwise(by_day):
        if earlier.weekday == later.weekday and later.start < earlier.end:
            return earlier, later
    return None


class Absence(models.Model):
    """Days a therapist does not work: leave, sickness, training."""

    LEAVE, SICKNESS, TRAINING, OTHER = "leave", "sickness", "training", "other"
    REASON_CHOICES = [
        (LEAVE, _("leave")),
        (SICKNESS, _("sickness")),
        (TRAINING, _("training")),
        (OTHER, _("other")),
    ]

    therapist = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="absences", verbose_name=_("therapist")
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=20, choices=REASON_CHOICES, default=LEAVE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["therapist", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="absence_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["therapist", "end"], name="absence_therapist_end")]

    def __str__(self):
        first, last = (date_format(day, "SHORT_DATE_FORMAT") for day in (self.start, self.end))
        return f"{self.get_reason_display()} {first}–{last}"

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The last day cannot be before the first day.")})
