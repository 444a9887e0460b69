"""``{{ value|cell }}``: a report table's cell as the page shows it."""

from django import template
from django.utils.formats import number_format

from reports.tables import Share

register = template.Library()


@register.filter
def cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Share):
        return f"{number_format(round(value * 100), use_l10n=True)} %"
    if isinstance(value, float):
        return number_format(value, 1, use_l10n=True)
    if isinstance(value, int):
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


@register.filter
def is_number(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
