"""``{% report_table table %}``: a report table written in Python, as the calendar writes its
blocks (``front.views.calendar.block_html``): the page has a few hundred cells, and a template
filter per cell was most of its time. Numbers follow the active language's separators."""

from django import template
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.tables import Share, Table

register = template.Library()


def number_formatter():
    """A function writing a cell as the page shows it, with the active language's separators."""
    decimal = get_format("DECIMAL_SEPARATOR")
    thousands = get_format("THOUSAND_SEPARATOR")

    def text(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, Share):
            return f"{value * 100:.1f}".replace(".", decimal) + "\u00a0%"
        if isinstance(value, float):
            return (
                f"{value:,.1f}".replace(",", "\x00")
                .replace(".", decimal)
                .replace("\x00", thousands)
            )
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", thousands)
        return str(value)

    return text


def is_number(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


@register.simple_tag
def report_table(table: Table) -> str:
    text = number_formatter()
    end = ' class="text-end"'
    head = "".join(
        f'<th scope="col"{"" if i == 0 else end}>{escape(name)}</th>'
        for i, name in enumerate(table.header)
    )
    rows = []
    for row in table.rows:
        first, *rest = row
        cells = [f'<th scope="row" class="fw-normal">{escape(text(first))}</th>']
        for value in rest:
            if is_number(value):
                cells.append(f'<td class="text-end text-nowrap">{escape(text(value))}</td>')
            else:
                cells.append(f'<td class="text-end fst-italic">{escape(value)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        nothing = escape(_("Nothing in this period."))
        rows.append(f'<tr><td colspan="{len(table.header)}" class="text-muted">{nothing}</td></tr>')
    note = (
        f' <span class="small text-muted d-block">{escape(table.note)}</span>' if table.note else ""
    )
    return mark_safe(
        # A table wider than the screen scrolls in its frame, which the keyboard can reach.
        f'<div class="table-responsive" tabindex="0" role="region" '
        f'aria-label="{escape(table.title)}"><table class="table table-sm bg-white border '
        f'report-table" id="table-{escape(table.slug)}"><caption class="caption-top text-body">'
        f"{escape(table.title)}{note}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
