"""The report's tables: what the page shows, what screen readers read beside each chart, and
what each CSV download holds, built once from the selectors' figures.

A cell is text, a whole number, a float (shown with one decimal), a share (``Share``, shown as a
percentage) or None (no figure). In a CSV every text cell that a spreadsheet would take for a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a
leading apostrophe, so it is only text; the numbers the report computes are written as numbers
(a negative mean change, ``-1.5``, is a number to a spreadsheet, not a formula).
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.texts import localized
from protocols.models import Course, Session
from reports import selectors
from reports.selectors import Report


class Share(float):
    """A share 0..1, shown as a percentage."""


@dataclass(frozen=True)
class Table:
    slug: str  # the CSV's name
    title: str
    header: list[str]
    rows: list[list]
    note: str = ""


def _share(value):
    return None if value is None else Share(value)


def _round(value):
    return None if value is None else round(value, 1)


def template_name(report: Report, template_id: int) -> str:
    template = report.templates.get(template_id)
    return localized(template, "name") if template is not None else f"#{template_id}"


def outcomes_table(report: Report) -> Table:
    too_few = _("too few courses to say")
    rows = []
    for o in report.outcomes:
        name = template_name(report, o.template_id)
        if o.enough:
            figures = [
                _round(o.mean_before),
                _round(o.mean_after),
                _round(o.mean_change),
                o.improved,
                _share(o.share_improved),
            ]
        else:
            figures = [too_few, None, None, None, None]
        rows.append([name, o.courses, o.scored, *figures])
    return Table(
        slug="outcomes",
        title=_("Outcomes per template"),
        header=[
            _("Template"),
            _("Courses completed"),
            _("With pain scored"),
            _("Mean pain before the first session"),
            _("Mean pain after the last session"),
            _("Mean change"),
            _("Pain fell by 2 points or more"),
            _("Share with a fall of 2 points or more"),
        ],
        rows=rows,
        note=_(
            "Completed courses that began in the period. Pain is the 0–10 score (NPRS) before the "
            "first session given and after the last; a fall of 2 points or more is the usual "
            "threshold for a meaningful change. Means and shares are shown from %(n)s courses "
            "with both scores recorded; below that, too few courses to say."
        )
        % {"n": selectors.MIN_COURSES},
    )


SESSION_ORDER = [
    Session.DONE,
    Session.SKIPPED,
    Session.NO_SHOW,
    Session.PATIENT_CANCELLED,
    Session.CANCELLED,
    Session.ON_HOLD,
    Session.PLANNED,
]
COURSE_ORDER = [Course.COMPLETED, Course.CANCELLED, Course.ON_HOLD, Course.ACTIVE, Course.PLANNED]


def sessions_table(report: Report) -> Table:
    labels = dict(Session.STATUS_CHOICES)
    counts = report.adherence.sessions
    return Table(
        slug="sessions",
        title=_("Sessions in the period"),
        header=[_("Status"), _("Sessions")],
        rows=[[str(labels[status]), counts.get(status, 0)] for status in SESSION_ORDER],
        note=_("Sessions dated in the period, of the chosen courses, whenever they began."),
    )


def skip_reasons_table(report: Report) -> Table:
    return Table(
        slug="skip-reasons",
        title=_("Why sessions were skipped"),
        header=[_("Reason"), _("Sessions")],
        rows=[
            [reason or pgettext("skip reason", "not given"), n]
            for reason, n in report.adherence.skip_reasons
        ],
    )


def courses_table(report: Report) -> Table:
    labels = dict(Course.STATUS_CHOICES)
    counts = report.adherence.courses
    return Table(
        slug="courses",
        title=_("Courses begun in the period"),
        header=[_("Status"), _("Courses")],
        rows=[[str(labels[status]), counts.get(status, 0)] for status in COURSE_ORDER],
    )


def repeats_table(report: Report) -> Table:
    r = report.repeats
    return Table(
        slug="twice-a-year",
        title=_("Courses twice a year (R5)"),
        header=[_("Figure"), _("Count")],
        rows=[
            [_("Next course due in the period"), r.due],
            [_("Next course began in time"), r.in_time],
            [_("Next course began late"), r.late],
            [_("Not begun, overdue"), r.overdue],
            [_("Not begun, due date still to come"), r.not_yet],
            [_("Share begun in time (of those decided)"), _share(r.share_in_time)],
            [_("Patients due today or within two weeks"), r.due_now],
            [_("Of them, overdue today"), r.overdue_now],
        ],
        note=_(
            "The next course is due six months after the first session of the previous one. "
            "Counted for completed courses whose next course fell due in the period; the last "
            "two rows are today's, as the day page lists them."
        ),
    )


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _use_rows(uses):
    return [[u.name, _hours(u.booked), _hours(u.available), _share(u.share)] for u in uses]


def therapists_table(report: Report) -> Table:
    return Table(
        slug="therapists",
        title=_("Booked hours per therapist"),
        header=[_("Therapist"), _("Booked hours"), _("Working hours"), _("Share booked")],
        rows=_use_rows(report.utilisation.therapists),
        note=_(
            "Bookings that start in the period and held their time (planned, given, skipped on "
            "the day, not attended), against the weekly hours on the clinic's open days, less "
            "absences."
        ),
    )


def rooms_table(report: Report) -> Table:
    return Table(
        slug="rooms",
        title=_("Booked hours per room"),
        header=[_("Room"), _("Booked hours"), _("Hours the clinic is staffed"), _("Share booked")],
        rows=_use_rows(report.utilisation.rooms),
        note=_("A room is available whenever at least one therapist works."),
    )


def all_tables(report: Report) -> dict[str, Table]:
    tables = [
        outcomes_table(report),
        sessions_table(report),
        skip_reasons_table(report),
        courses_table(report),
        repeats_table(report),
        therapists_table(report),
        rooms_table(report),
    ]
    return {table.slug: table for table in tables}


# --- CSV ------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell as a spreadsheet may read it: never a formula."""
    if value is None:
        return ""
    if isinstance(value, Share):
        return f"{round(value * 100, 1)}%"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(name) for name in table.header])
    for row in table.rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
