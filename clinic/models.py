"""The clinic (tenant) with its working days, and its staff."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import ChoiceSetField

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

THERAPIST = "Therapist"
CLINIC_ADMIN = "Clinic admin"


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
