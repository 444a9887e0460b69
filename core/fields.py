"""Model fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceSetField(models.CharField):
    """A set of values taken from ``choices``, stored as sorted comma-separated text.

    Portable across SQLite and PostgreSQL, and filterable with ``__contains`` (the values of one
    field never contain one another). In Python the value is a sorted list.
    """

    description = _("A set of choices")

    def __init__(self, *args, coerce=str, **kwargs):
        self.coerce = coerce
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.coerce is not str:
            kwargs["coerce"] = self.coerce
        return name, path, args, kwargs

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(",")
        try:
            return sorted({self.coerce(item) for item in value if item != ""})
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                _("“%(value)s” is not a valid choice."), params={"value": value}
            ) from exc

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def get_prep_value(self, value):
        if isinstance(value, str):  # a lookup value such as __contains="2"
            return value
        return ",".join(str(item) for item in self.to_python(value))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        allowed = {key for key, _label in self.flatchoices}
        for item in value:
            if item not in allowed:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.choices,
            "coerce": self.coerce,
            "required": not self.blank,
            "widget": forms.CheckboxSelectMultiple,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        return form_class(**defaults)


# --- Times of day as minutes since midnight -------------------------------------------------

DAY_MINUTES = 24 * 60


def clock_text(minutes: int | None) -> str:
    """ "09:30" for 570; "24:00" for the end of the day."""
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_clock(text: str) -> int:
    """Minutes since midnight of "HH:MM" (00:00 to 24:00); ValueError for anything else."""
    hours, sep, mins = text.strip().partition(":")
    if not (sep and hours.isdigit() and mins.isdigit() and len(mins) == 2 and len(hours) <= 2):
        raise ValueError(text)
    value = int(hours) * 60 + int(mins)
    if int(mins) > 59 or value > DAY_MINUTES:
        raise ValueError(text)
    return value


class ClockTimeFormField(forms.CharField):
    """A time of day typed as HH:MM; 24:00 means the end of the day."""

    default_error_messages = {
        "invalid": _("Enter a time from 00:00 to 24:00 as HH:MM, e.g. 09:30."),
    }

    def __init__(self, *args, **kwargs):
        attrs = {"inputmode": "numeric", "size": 5, "maxlength": 5, "placeholder": "09:00"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        kwargs.pop("step_size", None)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return clock_text(value) if isinstance(value, int) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_clock(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class ClockTimeField(models.PositiveSmallIntegerField):
    """A time of day stored as minutes since midnight (0–1440), typed and shown as HH:MM.

    Minutes, not ``TimeField``: working hours may end at 24:00, which no ``time`` can hold.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ClockTimeFormField, **kwargs})
