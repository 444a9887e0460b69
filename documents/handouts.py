"""What the handout and the session sheets say, built from the course's snapshot.

Documents show the course as it was planned (``Course.snapshot``), whatever has been
edited in the template since. Admin-written text is data: it is split into paragraphs and bullet
lines here and rendered, escaped, into fixed templates.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

import planner
from core.texts import localized
from documents.times import appointment_label
from patients.models import Condition, PatientContraindication
from protocols.models import ProtocolStep, Session
from protocols.planning import reason_message, staff_line
from protocols.snapshot import TemplateSnapshot, in_language

BULLETS = ("- ", "* ", "• ", "– ")
PHASES = ("introductory", "main", "concluding")
EXERCISE_CONDITIONS = {Condition.KNEE_ARTHROSIS, Condition.ENDOPROSTHETICS}


@dataclass(frozen=True)
class Row:
    """A session as a document lists it, with its appointment ("Mon 7 Dec, 10:30, room 2").

    ``when`` is worded as the template reads it, in the language the document is rendered in
    (a day's sheets are built before ``sheets_html`` switches to the job's language).
    """

    session: Session
    clinic: object

    @property
    def when(self) -> str:
        return appointment_label(self.session, self.clinic)


def _rows(sessions, clinic) -> list[Row]:
    return [Row(s, clinic) for s in sessions]


@dataclass
class Block:
    kind: str  # "p" or "ul"
    lines: list[str] = field(default_factory=list)


def text_blocks(text: str) -> list[Block]:
    """Plain text → paragraphs (separated by blank lines) and bullet lists (lines with "- ")."""
    blocks: list[Block] = []
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            blocks.append(Block("gap"))
            continue
        bullet = next((b for b in BULLETS if line.startswith(b)), None)
        kind = "ul" if bullet else "p"
        content = line[len(bullet) :].strip() if bullet else line
        last = blocks[-1] if blocks else None
        if last is not None and last.kind == kind:
            if kind == "p":
                last.lines[-1] = f"{last.lines[-1]} {content}"
            else:
                last.lines.append(content)
        else:
            blocks.append(Block(kind, [content]))
    return [b for b in blocks if b.kind != "gap"]


def _phases(snapshot: TemplateSnapshot) -> list[dict]:
    labels = {
        "introductory": _("Introductory part"),
        "main": _("Main part"),
        "concluding": _("Concluding part"),
    }
    techniques = dict(ProtocolStep.TECHNIQUE_CHOICES)
    phases = []
    for phase in PHASES:
        steps = [
            {
                "phase": s.phase,
                "technique": s.technique,
                "technique_label": techniques.get(s.technique, s.technique),
                "body_area": in_language(s.body_area),
                "instruction": in_language(s.instruction),
                "repetitions": in_language(s.repetitions),
            }
            for s in snapshot.steps
            if s.phase == phase
        ]
        if steps:
            areas = _distinct_areas([s["body_area"] for s in steps if s.get("body_area")])
            phases.append({"name": labels[phase], "steps": steps, "areas": areas})
    return phases


def document_prefetches(prefix: str = "") -> list:
    """What a document reads besides the course row: sessions, conditions, contraindications.

    ``prefix`` reaches the course from another model, e.g. ``"course__"`` from sessions.
    """
    return [
        Prefetch(
            f"{prefix}sessions", queryset=Session.objects.select_related("room").order_by("number")
        ),
        f"{prefix}patient__conditions",
        Prefetch(
            f"{prefix}patient__contraindications",
            queryset=PatientContraindication.objects.select_related("kind"),
        ),
    ]


def _warnings(course) -> list[tuple[str, str]]:
    """The warnings as the patient reads them: the kind's text for the patient where it has
    one, else a plain sentence; no session numbers, no rule wording for staff."""
    notes = []
    for w in course.warnings:
        params = w.get("params", {})
        if w["template"] == planner.R10_PRECAUTION_ADVICE:
            text = localized(params, "advice")
        elif w["template"] == planner.R10_PRECAUTION:
            text = _("%(name)s: your therapist takes it into account at every session.") % {
                "name": localized(params, "name")
            }
        else:
            text = reason_message(w)
        if text not in (t for _rule, t in notes):
            notes.append((w["rule"], text))
    return notes


def _distinct_areas(areas: list[str]) -> list[str]:
    """Body areas without repeats: "thigh" goes when "thigh of the affected leg" is there."""
    kept = []
    for area in areas:
        lower = area.lower()
        wider = any(other.lower() != lower and other.lower().startswith(lower) for other in areas)
        if not wider and lower not in (k.lower() for k in kept):
            kept.append(area)
    return kept


def _sides(conditions) -> str:
    """The side the course treats, named for the patient ("left"), or "" if not one side."""
    sides = {c.side for c in conditions if c.side in ("left", "right")}
    if len(sides) != 1:
        return ""
    return str(dict(Condition.SIDE_CHOICES)[sides.pop()])


BLOOD_THINNERS = "anticoagulants"


def _blood_thinner_names(course) -> set[str]:
    """Names of the patient's blood-thinner records that reach the course's dates."""
    dates = [s.date for s in course.sessions.all()]
    last = max(dates, default=None)
    return {
        c.kind.name
        for c in course.patient.contraindications.all()
        if c.kind.code == BLOOD_THINNERS and (last is None or c.start <= last)
    }


def _columns(sessions: list) -> list[tuple]:
    """Rows of the schedule: one session a row, in reading order (two side by side put session
    1 beside session 9, which an elderly reader misreads)."""
    return [(s,) for s in sessions]


def handout_context(course, *, sessions=None, conditions=None) -> dict:
    """What the patient's handout says. ``sessions`` and ``conditions`` default to the saved
    course's; the admin's preview passes them for a course that is never saved."""
    snapshot = course.snapshot
    if sessions is None:
        sessions = course.sessions.all()
    if conditions is None:
        conditions = course.patient.conditions.all()
    sessions = sorted(
        (s for s in sessions if s.status != Session.CANCELLED), key=lambda s: s.number
    )
    conditions = list(conditions)
    first = min((s.date for s in sessions), default=None)
    clinic = course.patient.clinic
    return {
        "course": course,
        "patient": course.patient,
        "clinic": clinic,
        "snapshot": snapshot,
        "conditions": conditions,
        "sessions": sessions,
        "schedule_columns": _columns(_rows(sessions, clinic)),
        "name": snapshot.text("name"),
        "phases": _phases(snapshot),
        "sections": [
            {"title": in_language(s.title), "blocks": text_blocks(in_language(s.text))}
            for s in snapshot.handout_sections
        ],
        "warnings": _warnings(course),
        "side": _sides(conditions),
        "exercise_note": bool(EXERCISE_CONDITIONS & set(snapshot.conditions)),
        "next_course_due": planner.next_course_due(first) if first else None,
        "therapist": course.therapist,
    }


def sheet_context(course, sessions) -> dict:
    """One therapist's sheet: the course's procedure and the given sessions with pain boxes.

    The given sessions are read from the course's prefetched ones where they are there (those
    carry their rooms, see ``document_prefetches``), so a day's sheets cost no query per room.
    """
    snapshot = course.snapshot
    thinners = _blood_thinner_names(course)
    clinic = course.patient.clinic
    loaded = {s.pk: s for s in course.sessions.all()}
    sessions = sorted((loaded.get(s.pk, s) for s in sessions), key=lambda s: s.number)
    warnings = [
        (w["rule"], staff_line(w), w.get("params", {}).get("name") in thinners)
        for w in course.warnings
    ]
    return {
        "course": course,
        "patient": course.patient,
        "clinic": clinic,
        "snapshot": snapshot,
        "sessions": _rows(sessions, clinic),
        "total": sum(1 for s in course.sessions.all() if s.status != Session.CANCELLED),
        "name": snapshot.text("name"),
        "phases": _phases(snapshot),
        # One short line a warning, for the therapist ("Blood thinners since 1 Dec 2025: press
        # lightly, watch for bruises"); the patient's wording stays on the handout.
        "warnings": warnings,
        # A blood-thinner record that came after the course was planned has no line of its own.
        "blood_thinners": bool(thinners) and not any(bold for _rule, _text, bold in warnings),
        "knee_sparing": snapshot.knee_sparing,
    }
