"""The clinic's calendar as a time grid: the day by therapist (the home page, ``front.views.day``),
one therapist's week, and the day by room.

All three are one ``Grid``: a column per therapist, day or room, a row per slot step of the
clinic (``Clinic.slot_minutes``) from the earliest start to the latest end of the hours shown
(widened to every booking outside them), and each booking a block of its true length. The
sessions are read as plain rows, as the old day list did (``GridRow``): a busy clinic's day is
hundreds of blocks, and a model instance per session, course, patient and therapist would be most
of the page's time. The cells of the grid carry their date, time and therapist, so that dragging a
block onto a free one moves the session (``static/js/calendar.js``, through the move page's
POST); a block's Move link is the same request for the keyboard.

Who sees what: the calendar needs ``protocols.view_calendar``. Without ``protocols.view_course``
(the front desk) a page shows no warning, no course link and no Record link, and never reads a
course's warnings. Move and "no-show / cancelled" links need ``protocols.book_session``, and
``protocols.move_any_session`` for another therapist's session: a therapist moves the sessions
they give (``Session.therapist``) or of a course they own (``Course.therapist``).
"""

import html
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clinic.models import CLINIC_ADMIN, THERAPIST, Absence, ClosedDate, Room, User, WorkingHours
from core.fields import DAY_MINUTES, clock_text
from front.decorators import clinic_member_required
from front.templatetags.links import id_urls
from patients.models import Patient
from protocols import booking
from protocols.models import Session
from protocols.planning import staff_line

# The rows of an empty grid (nobody works, nothing booked): a usual working day.
DEFAULT_HOURS = (9 * 60, 18 * 60)
# Sessions that keep their time in the book: another booking may not overlap them (R17).
LIVE = (Session.PLANNED, Session.DONE)
NOT_SHOWN = (Session.CANCELLED,)
# Recorded as not given on the day: listed beside the day's grid.
MISSED = (Session.NO_SHOW, Session.PATIENT_CANCELLED)
# The days a calendar page shows: a week either side of any of them is a date.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


# --- The day asked for -----------------------------------------------------------------------


def clinic_today(clinic) -> date:
    """Today in the clinic's time zone."""
    return timezone.localdate(timezone=booking.zone(clinic))


def asked_day(request, clinic) -> date:
    """``?date=YYYY-MM-DD``; today in the clinic's zone when absent, not a real date or out of
    the calendar's range."""
    value = request.GET.get("date", "")
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    # A day whose week and neighbours are dates too (no 0001-01-01 or 9999-12-31).
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else clinic_today(clinic)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def person_name(first: str, last: str, username: str) -> str:
    return " ".join(n for n in (first, last) if n) or username


# --- Sessions as plain rows ------------------------------------------------------------------


def _sessions_of_the_course():
    """How many sessions the row's course has, cancelled ones aside (the N of "n of N")."""
    return Subquery(
        Session.objects.filter(course=OuterRef("course_id"))
        .exclude(status=Session.CANCELLED)
        .order_by()
        .values("course")
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )


GRID_FIELDS = (
    *("pk", "number", "date", "status", "planned_minutes", "starts_at", "ends_at"),
    *("room_id", "room__name", "therapist_id", "therapist__first_name", "therapist__last_name"),
    *("therapist__username", "course_id", "course__therapist_id", "course__version"),
    *("course__patient_id", "course__patient__last_name", "course__patient__first_name"),
    "total",
    "confirmed_at",
)


def grid_rows(user, *, clinical: bool, **filters):
    """The sessions of ``filters`` not cancelled, as named rows; their course's warnings only for
    ``clinical`` readers (the front desk's query never reads them)."""
    fields = (*GRID_FIELDS, "course__warnings") if clinical else GRID_FIELDS
    return (
        Session.objects.for_user(user)
        .filter(**filters)
        .exclude(status__in=NOT_SHOWN)
        .annotate(total=_sessions_of_the_course())
        .order_by("starts_at", "course__patient__last_name", "pk")
        .values_list(*fields, named=True)
    )


# --- The grid --------------------------------------------------------------------------------


@dataclass(slots=True)
class Block:
    """A booking on the grid (or, without a time, in the list under it)."""

    pk: int
    day: date
    start: int | None  # minutes since the clinic's midnight; None: time to be agreed
    end: int | None
    time: str
    therapist_id: int | None
    therapist: str
    room_id: int | None
    room: str
    patient_name: str
    patient_url: str
    number: int
    total: int
    of_label: str  # "session 3 of 15"
    minutes: int
    status: str
    status_label: str
    live: bool
    course_url: str = ""
    warnings: list = field(default_factory=list)
    record_url: str = ""
    move_url: str = ""  # where a drop POSTs the move
    move_link: str = ""  # the move page, coming back here (the keyboard's way)
    attendance_url: str = ""
    version: int = 0
    confirmed: bool = False  # the patient confirmed with the reminder's link
    row: int = 0  # the first grid row of the block (1 = the first slot)
    span: int = 1
    lane: int = 0  # 1 and up: drawn beside a block it overlaps (a no-show and a new booking)


@dataclass
class Column:
    key: object
    title: str
    day: date
    therapist_id: int | None = None  # the drop target's therapist (None: no drops here)
    hours: list = field(default_factory=list)  # (start, end) minutes; shaded outside them
    away: str = ""  # "away: leave"
    closed: str = ""  # "Closed: Holiday"
    mine: bool = False
    today: bool = False
    shade_hours: bool = True  # a room has no hours: nothing is shaded outside them
    blocks: list = field(default_factory=list)
    index: int = 0  # the CSS grid column (the times are column 1)
    cells: str = ""
    blocks_html: str = ""
    print_rows: str = ""

    @property
    def hours_text(self) -> str:
        return ", ".join(f"{clock_text(s)}–{clock_text(e)}" for s, e in self.hours)


@dataclass
class Grid:
    columns: list
    slot: int
    start: int
    end: int
    times: list  # (row, "09:00")
    rows: int
    untimed: list  # blocks without a time
    now: float | None = None  # the current time, in rows from the first (today only)
    now_columns: str = "2 / -1"  # the grid columns its line crosses: today's
    droppable: bool = False

    @property
    def blocks(self):
        return [b for c in self.columns for b in c.blocks]


def _in_hours(minute: int, hours) -> bool:
    return any(start <= minute < end for start, end in hours)


def _cells(column: Column, grid_start: int, slot: int, rows: int, droppable: bool) -> str:
    """The column's slot cells as HTML (dates, times and ids only: nothing to escape). A free
    cell of a therapist's column carries its date, time and therapist for a drop."""
    busy = set()
    for block in column.blocks:
        if block.live:
            busy.update(range(block.row, block.row + block.span))
    day = column.day.isoformat()
    cells = []
    for row in range(1, rows + 1):
        minute = grid_start + (row - 1) * slot
        if column.closed:
            state = "cal-closed"
        elif column.away:
            state = "cal-away"
        elif column.shade_hours and not _in_hours(minute, column.hours):
            state = "cal-off"
        elif row in busy or not droppable or column.therapist_id is None:
            state = "cal-open"
        else:
            cells.append(
                f'<div class="cal-slot cal-free" style="grid-row:{row}" data-drop '
                f'data-date="{day}" data-time="{clock_text(minute)}" '
                f'data-therapist="{column.therapist_id}"></div>'
            )
            continue
        cells.append(f'<div class="cal-slot {state}" style="grid-row:{row}"></div>')
    return mark_safe("".join(cells))  # built from dates, times and ints above: nothing to escape


def _lanes(blocks) -> None:
    """Blocks that overlap an earlier one of the column (a no-show whose time was booked again)
    are drawn beside it."""
    ends: list[int] = []
    for block in sorted(blocks, key=lambda b: (b.row, not b.live)):
        for lane, end in enumerate(ends):
            if end <= block.row:
                ends[lane] = block.row + block.span
                block.lane = lane
                break
        else:
            block.lane = len(ends)
            ends.append(block.row + block.span)


def escape(text) -> str:
    """``&<>"'`` as HTML entities, as Django's ``escape`` does, without its lazy-text wrapper (a
    day's grid escapes a few thousand texts); the blocks are marked safe once, whole."""
    return html.escape(str(text))


def _labels(clinical: bool) -> dict:
    """The words of a block, translated and escaped once a page."""
    words = {
        "record": _("Record"),
        "move": _("Move"),
        "missed": _("No-show / cancelled"),
        "warnings": _("Warnings"),
        "min": _("min"),
        "confirmed": _("confirmed"),
        "confirmed_tip": _("The patient confirmed with the reminder"),
    }
    return {key: escape(value) for key, value in words.items()} | {"clinical": clinical}


def block_html(b: Block, words: dict, *, droppable: bool, show_therapist: bool) -> str:
    """A booking's block: who, which session, minutes, room (or therapist), status, its
    warnings behind an icon (a button described by its tooltip: hover and keyboard focus), and the
    links the user may follow. Built here rather than in a template: a busy day has a few hundred
    blocks, and the template language would take most of the page's time. Typed text is escaped."""
    drag = ""
    if b.move_url and droppable:
        drag = (
            f' draggable="true" data-move-url="{escape(b.move_url)}" data-version="{b.version}"'
            f' data-therapist="{b.therapist_id or ""}"'
        )
    warn = ""
    if b.warnings:
        lines = "<br>".join(escape(line) for line in b.warnings)
        warn = (
            f'<button type="button" class="cal-warn" aria-label="{words["warnings"]}" '
            f'aria-describedby="warn-{b.pk}">!</button>'
            f'<span class="cal-tip" role="tooltip" id="warn-{b.pk}">{lines}</span>'
        )
    of = escape(b.of_label)
    if b.course_url:
        of = f'<a href="{escape(b.course_url)}">{of}</a>'
    meta = [f'<span class="text-nowrap">{b.time}</span>', of, f"{b.minutes} {words['min']}"]
    if show_therapist:
        if b.therapist:
            meta.append(escape(b.therapist))
    elif b.room:
        meta.append(escape(b.room))
    if b.status != Session.PLANNED:
        meta.append(f'<span class="cal-block-status">{escape(b.status_label)}</span>')
    elif b.confirmed:
        meta.append(
            f'<span class="confirmed-tick" title="{words["confirmed_tip"]}">'
            f'<span aria-hidden="true">✓</span> {words["confirmed"]}</span>'
        )
    actions = []
    if b.record_url:
        actions.append(f'<a href="{escape(b.record_url)}">{words["record"]}</a>')
    if b.move_link:
        actions.append(f'<a href="{escape(b.move_link)}">{words["move"]}</a>')
        actions.append(f'<a href="{escape(b.attendance_url)}">{words["missed"]}</a>')
    links = f'<div class="cal-block-actions">{" ".join(actions)}</div>' if actions else ""
    lane = " cal-lane" if b.lane else ""
    name = escape(b.patient_name)
    return (
        f'<article class="cal-block cal-status-{b.status}{lane}" id="session-{b.pk}" '
        f'style="grid-row:{b.row} / span {b.span}"{drag} aria-label="{b.time} {name}">'
        f'<div class="cal-block-body"><div class="cal-block-title">'
        f'<a href="{escape(b.patient_url)}">{name}</a>{warn}</div>'
        f'<div class="cal-block-meta">{" · ".join(meta)}</div>{links}</div></article>'
    )


def print_row(b: Block, clinical: bool) -> str:
    """A booking as a row of the printed list (``templates/clinic/_print.html``)."""
    cells = [b.time, b.patient_name, b.of_label, str(b.minutes), b.room, b.status_label]
    if clinical:
        cells.append("; ".join(b.warnings))
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def build_grid(
    columns,
    blocks,
    *,
    key,
    clinic,
    today: date,
    droppable: bool,
    clinical: bool,
    show_therapist: bool = False,
) -> Grid:
    """Place ``blocks`` in ``columns`` (``key(block)`` names a block's column) on the clinic's
    slot rows, from the earliest start to the latest end of the columns' hours and blocks, and
    write them as HTML (with the therapist instead of the room in ``show_therapist``)."""
    by_key = {column.key: column for column in columns}
    timed, untimed = [], []
    for block in blocks:
        column = by_key.get(key(block))
        if block.start is None or column is None:
            untimed.append(block)
        else:
            column.blocks.append(block)
            timed.append(block)
    slot = clinic.slot_minutes
    starts = [s for c in columns for s, _e in c.hours] + [b.start for b in timed]
    ends = [e for c in columns for _s, e in c.hours] + [b.end for b in timed]
    start, end = (min(starts), max(ends)) if starts else DEFAULT_HOURS
    start = start // slot * slot
    end = min(DAY_MINUTES, -(-end // slot) * slot)
    rows = max(1, (end - start) // slot)
    for block in timed:
        block.row = (block.start - start) // slot + 1
        block.span = max(1, -(-(block.end - start) // slot) - block.row + 1)
    words = _labels(clinical)
    for index, column in enumerate(columns, start=2):
        column.index = index
        _lanes(column.blocks)
        column.cells = _cells(column, start, slot, rows, droppable)
        # Escaped piece by piece in block_html and print_row.
        column.blocks_html = mark_safe(
            "".join(
                block_html(b, words, droppable=droppable, show_therapist=show_therapist)
                for b in column.blocks
            )
        )
        column.print_rows = mark_safe("".join(print_row(b, clinical) for b in column.blocks))
    label_every = max(slot, 30)
    times = [
        (row, clock_text(start + (row - 1) * slot))
        for row in range(1, rows + 1)
        if (start + (row - 1) * slot) % label_every == 0
    ]
    now, now_columns = None, "2 / -1"
    todays = [c.index for c in columns if c.day == today]
    if todays:
        _day, minute = booking.local_minutes(clinic, timezone.now())
        if start <= minute < end:
            now = round((minute - start) / slot, 3)
        if len(todays) < len(columns):  # a week: today's column only
            now_columns = f"{todays[0]} / span 1"
    return Grid(
        columns=columns,
        slot=slot,
        start=start,
        end=end,
        times=times,
        rows=rows,
        untimed=untimed,
        now=now,
        now_columns=now_columns,
        droppable=droppable,
    )


class Blocks:
    """Turns grid rows into blocks for one user: their links and what they may see."""

    def __init__(self, request, clinic):
        user = request.user
        self.user, self.clinic = user, clinic
        self.zone = booking.zone(clinic)
        self.clinical = user.has_perm("protocols.view_course")
        self.may_record = user.has_perm("protocols.change_session")
        self.may_book = user.has_perm("protocols.book_session")
        self.may_move_any = user.has_perm("protocols.move_any_session")
        self.patient_url = id_urls("patients:detail")
        self.course_url = id_urls("protocols:course")
        self.record_url = id_urls("protocols:session_record")
        self.move_url = id_urls("protocols:session_move")
        self.attendance_url = id_urls("protocols:session_attendance")
        self.back = "?" + urlencode({"next": request.get_full_path()})
        self.labels = {value: str(label) for value, label in Session.STATUS_CHOICES}
        self.of = _("session %(number)d of %(total)d")
        self.untimed = _("time to be agreed")

    def may_move(self, row) -> bool:
        return (
            row.status == Session.PLANNED
            and self.may_book
            and (self.may_move_any or self.user.pk in (row.therapist_id, row.course__therapist_id))
        )

    def block(self, row) -> Block:
        start = end = None
        time = self.untimed
        if row.starts_at is not None:
            local_start = row.starts_at.astimezone(self.zone)
            local_end = row.ends_at.astimezone(self.zone)
            start = local_start.hour * 60 + local_start.minute
            end = local_end.hour * 60 + local_end.minute
            if local_end.date() != local_start.date():  # past midnight: the rest of the day
                end = DAY_MINUTES
            end = max(end, start + 1)
            time = f"{clock_text(start)}–{clock_text(end)}"
        total = row.total or row.number
        block = Block(
            pk=row.pk,
            day=row.date,
            start=start,
            end=end,
            time=time,
            therapist_id=row.therapist_id,
            therapist=person_name(
                row.therapist__first_name or "",
                row.therapist__last_name or "",
                row.therapist__username or "",
            )
            if row.therapist_id
            else "",
            room_id=row.room_id,
            room=row.room__name or "",
            patient_name=Patient.display_name(
                row.course__patient__last_name, row.course__patient__first_name
            ),
            patient_url=self.patient_url(row.course__patient_id),
            number=row.number,
            total=total,
            of_label=self.of % {"number": row.number, "total": total},
            minutes=row.planned_minutes,
            status=row.status,
            status_label=self.labels.get(row.status, row.status),
            live=row.status in LIVE,
            version=row.course__version,
            confirmed=row.confirmed_at is not None and row.status == Session.PLANNED,
        )
        if self.clinical:
            block.course_url = self.course_url(row.course_id)
            block.warnings = [staff_line(w) for w in row.course__warnings or ()]
        if row.status == Session.PLANNED and self.may_record:
            block.record_url = self.record_url(row.pk) + "?next=day"
        if self.may_move(row):
            block.move_url = self.move_url(row.pk)
            block.move_link = block.move_url + self.back
            block.attendance_url = self.attendance_url(row.pk) + self.back
        return block


# --- Columns ---------------------------------------------------------------------------------


def closed_text(clinic, day: date, holidays: dict) -> str:
    """Why the clinic is closed on ``day``, or "" when it is open."""
    if day in holidays:
        reason = holidays[day]
        return _("Closed: %(reason)s") % {"reason": reason} if reason else _("The clinic is closed")
    if day.weekday() not in clinic.working_weekdays:
        return _("The clinic is closed")
    return ""


def holidays_between(clinic, first: date, last: date) -> dict:
    return dict(
        ClosedDate.objects.filter(clinic=clinic, date__range=(first, last)).values_list(
            "date", "reason"
        )
    )


def away_text(reason: str) -> str:
    return _("away: %(reason)s") % {"reason": dict(Absence.REASON_CHOICES).get(reason, reason)}


def therapist_columns(clinic, day: date, user, blocks, *, holidays: dict, today: date):
    """A column for each therapist who works on ``day`` (weekly hours on its weekday) or has a
    booking at a time on it: the user's own first, the others by name."""
    people: dict[int, Column] = {}
    hours = WorkingHours.objects.filter(
        therapist__clinic=clinic, therapist__is_active=True, weekday=day.weekday()
    ).values_list(
        "therapist_id",
        "therapist__first_name",
        "therapist__last_name",
        "therapist__username",
        "start",
        "end",
    )
    closed = closed_text(clinic, day, holidays)
    for therapist_id, first, last, username, start, end in hours.order_by("start"):
        column = people.get(therapist_id)
        if column is None:
            column = people[therapist_id] = Column(
                key=therapist_id,
                title=person_name(first, last, username),
                day=day,
                therapist_id=therapist_id,
                closed=closed,
            )
        column.hours.append((start, end))
    no_therapist = False
    for block in blocks:
        if block.start is None:  # listed under the grid ("time to be agreed")
            continue
        if block.therapist_id is None:
            no_therapist = True
        elif block.therapist_id not in people:
            people[block.therapist_id] = Column(
                key=block.therapist_id,
                title=block.therapist,
                day=day,
                therapist_id=block.therapist_id,
                closed=closed,
            )
    absences = Absence.objects.filter(
        therapist_id__in=list(people), start__lte=day, end__gte=day
    ).values_list("therapist_id", "reason")
    for therapist_id, reason in absences:
        people[therapist_id].away = away_text(reason)
    for column in people.values():
        column.mine = column.therapist_id == user.pk
        column.today = day == today
    columns = sorted(people.values(), key=lambda c: (not c.mine, c.title.casefold(), c.key))
    if no_therapist:
        columns.append(Column(key=None, title=_("No therapist"), day=day, closed=closed))
    return columns


def clinic_hours(clinic, day: date) -> list:
    """Every therapist's hours on ``day``'s weekday: the rows of the day by room."""
    return list(
        WorkingHours.objects.filter(
            therapist__clinic=clinic, therapist__is_active=True, weekday=day.weekday()
        )
        .values_list("start", "end")
        .distinct()
    )


def clinic_therapists(clinic) -> list[tuple[int, str]]:
    """The clinic's therapists (the week's chooser): staff with a therapist's or an admin's role,
    or with weekly hours, by name."""
    people = (
        User.objects.filter(clinic=clinic, is_active=True)
        .filter(Q(groups__name__in=[THERAPIST, CLINIC_ADMIN]) | Q(working_hours__isnull=False))
        .values_list("pk", "first_name", "last_name", "username")
        .distinct()
    )
    named = [(pk, person_name(first, last, username)) for pk, first, last, username in people]
    return sorted(named, key=lambda item: (item[1].casefold(), item[0]))


# --- Pages -----------------------------------------------------------------------------------


def day_heading(day: date) -> str:
    """ "Tuesday, 1 December 2026": the day as a printed page's heading says it."""
    return f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"


def day_links(view_url: str, day: date, step: int, extra: str = "") -> dict:
    return {
        "previous": f"{view_url}?{extra}date={(day - timedelta(days=step)).isoformat()}",
        "next": f"{view_url}?{extra}date={(day + timedelta(days=step)).isoformat()}",
    }


@clinic_member_required
@permission_required("protocols.view_calendar", raise_exception=True)
def week(request):
    """One therapist's week (Monday to Sunday around ``?date=``) in the day's grid."""
    clinic = request.user.clinic
    day = asked_day(request, clinic)
    today = clinic_today(clinic)
    therapists = clinic_therapists(clinic)
    names = dict(therapists)
    try:
        chosen = int(request.GET.get("therapist", ""))
    except ValueError:
        chosen = request.user.pk if request.user.pk in names else next(iter(names), None)
    if chosen not in names:
        raise Http404
    days = week_of(day)
    holidays = holidays_between(clinic, days[0], days[-1])
    weekly = {}
    for weekday, start, end in WorkingHours.objects.filter(therapist_id=chosen).values_list(
        "weekday", "start", "end"
    ):
        weekly.setdefault(weekday, []).append((start, end))
    away = dict.fromkeys(days, "")
    for first, last, reason in Absence.objects.filter(
        therapist_id=chosen, start__lte=days[-1], end__gte=days[0]
    ).values_list("start", "end", "reason"):
        for d in days:
            if first <= d <= last:
                away[d] = away_text(reason)
    columns = [
        Column(
            key=d,
            title=f"{date_format(d, 'D')} {date_format(d, 'MONTH_DAY_FORMAT')}",
            day=d,
            therapist_id=chosen,
            hours=sorted(weekly.get(d.weekday(), [])),
            away=away[d],
            closed=closed_text(clinic, d, holidays),
            today=d == today,
        )
        for d in days
    ]
    maker = Blocks(request, clinic)
    rows = grid_rows(
        request.user,
        clinical=maker.clinical,
        therapist_id=chosen,
        date__range=(days[0], days[-1]),
    )
    blocks = [maker.block(row) for row in rows]
    grid = build_grid(
        columns,
        blocks,
        key=lambda b: b.day,
        clinic=clinic,
        today=today,
        droppable=True,
        clinical=maker.clinical,
    )
    url = request.path
    return render(
        request,
        "clinic/week.html",
        {
            "grid": grid,
            "day": day,
            "days": days,
            "today": today,
            "therapists": therapists,
            "therapist": chosen,
            "therapist_name": names[chosen],
            "links": day_links(url, day, 7, f"therapist={chosen}&"),
            "view": "week",
            "print_heading": names[chosen],
            "clinical": maker.clinical,
        },
    )


@clinic_member_required
@permission_required("protocols.view_calendar", raise_exception=True)
def rooms(request):
    """The day by room: a column per room in use, and "no room" for bookings without one."""
    clinic = request.user.clinic
    day = asked_day(request, clinic)
    today = clinic_today(clinic)
    holidays = holidays_between(clinic, day, day)
    closed = closed_text(clinic, day, holidays)
    hours = clinic_hours(clinic, day)
    in_use = Room.objects.filter(clinic=clinic, active=True).order_by("order", "pk")
    columns = [
        Column(
            key=room_id,
            title=name,
            day=day,
            hours=hours,
            closed=closed,
            shade_hours=False,
            today=day == today,
        )
        for room_id, name in in_use.values_list("pk", "name")
    ]
    maker = Blocks(request, clinic)
    rows = grid_rows(request.user, clinical=maker.clinical, date=day)
    blocks = [maker.block(row) for row in rows]
    shown = {column.key for column in columns}
    if any(b.start is not None and b.room_id not in shown for b in blocks):
        columns.append(
            Column(
                key="none",
                title=_("No room"),
                day=day,
                hours=hours,
                closed=closed,
                shade_hours=False,
                today=day == today,
            )
        )
    grid = build_grid(
        columns,
        blocks,
        key=lambda b: b.room_id if b.room_id in shown else "none",
        clinic=clinic,
        today=today,
        droppable=False,
        clinical=maker.clinical,
        show_therapist=True,
    )
    return render(
        request,
        "clinic/rooms.html",
        {
            "grid": grid,
            "day": day,
            "today": today,
            "closed": closed,
            "links": day_links(request.path, day, 1),
            "view": "rooms",
            "print_heading": day_heading(day),
            "clinical": maker.clinical,
        },
    )
