"""A server-rendered pain chart: NPRS before and after each session, across courses (no JS)."""

from dataclasses import dataclass

from django.utils.formats import date_format

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    pain: int
    label: str

    # The SVG coordinates as the page prints them (formatted here: a template filter per dot
    # was most of the patient page's time with a long history).
    @property
    def cx(self) -> str:
        return f"{self.x:.1f}"

    @property
    def cy(self) -> str:
        return f"{self.y:.1f}"


@dataclass(frozen=True)
class PainChart:
    width: int
    height: int
    before: list[Point]
    after: list[Point]
    gridlines: list[tuple[int, float]]  # (score, y)
    course_marks: list[tuple[float, str]]  # (x, course name) where a course begins
    plot_left: int
    plot_right: int
    plot_bottom: int

    @property
    def before_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.before)

    @property
    def after_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.after)


def _y(score: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (10 - score) / 10


def pain_chart(courses) -> PainChart | None:
    """Points for the done sessions of ``courses`` (sessions prefetched), oldest first."""
    done = []
    for course in sorted(courses, key=lambda c: c.created_at):
        name = course.name
        for index, session in enumerate(s for s in course.sessions.all() if s.status == "done"):
            done.append((session, name if index == 0 else None))
    done.sort(key=lambda item: (item[0].date, item[0].number))
    if not done:
        return None
    span = WIDTH - LEFT - RIGHT
    step = span / max(len(done) - 1, 1)
    before, after, marks = [], [], []
    for i, (session, course_name) in enumerate(done):
        x = LEFT + i * step if len(done) > 1 else LEFT + span / 2
        label = f"#{session.number} {date_format(session.date, 'SHORT_DATE_FORMAT')}"
        if session.pain_before is not None:
            before.append(Point(x, _y(session.pain_before), session.pain_before, label))
        if session.pain_after is not None:
            after.append(Point(x, _y(session.pain_after), session.pain_after, label))
        if course_name is not None:
            marks.append((x, course_name))
    return PainChart(
        width=WIDTH,
        height=HEIGHT,
        before=before,
        after=after,
        gridlines=[(score, _y(score)) for score in (0, 2, 4, 6, 8, 10)],
        course_marks=marks,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=HEIGHT - BOTTOM,
    )
