"""Horizontal bar charts drawn on the server as SVG (no JS), as the pain chart is.

Readable in print: every bar carries its number as text beside it, the series differ by fill
pattern as well as shade (the CSS prints them black and white), and the same numbers are in a
table beside the chart for screen readers (the chart itself is one labelled image).
"""

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 250  # the row labels, left of the bars (LABEL_CHARS at 12 px fit in it)
VALUE_ROOM = 56  # the numbers, right of the longest bar
BAR, GAP, ROW_GAP, TOP, BOTTOM = 14, 2, 12, 8, 8
LABEL_CHARS = 34  # longer labels are cut (the table beside the chart has them in full)


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    width: float
    series: int
    text: str

    @property
    def text_x(self) -> str:
        return f"{self.x + self.width + 4:.1f}"

    @property
    def text_y(self) -> str:
        return f"{self.y + BAR / 2:.1f}"

    @property
    def w(self) -> str:
        return f"{self.width:.1f}"

    @property
    def top(self) -> str:
        return f"{self.y:.1f}"


@dataclass(frozen=True)
class Row:
    label: str
    y: float  # the label's baseline (middle of the row)
    bars: list[Bar]

    @property
    def label_y(self) -> str:
        return f"{self.y:.1f}"


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    rows: list[Row]
    series: list[str]  # names, for the legend (one series: no legend)
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR


def bar_chart(title: str, rows, *, series=("",), maximum: float, text=str) -> BarChart | None:
    """``rows``: (label, [value per series]); None values draw no bar. ``text(value)`` is the
    number printed beside each bar. None when there is nothing to draw."""
    rows = [(label, values) for label, values in rows if any(v is not None for v in values)]
    if not rows:
        return None
    span = WIDTH - LABEL_WIDTH - VALUE_ROOM
    scale = span / maximum if maximum else 0
    per_row = len(series) * BAR + (len(series) - 1) * GAP
    drawn, y = [], TOP
    for label, values in rows:
        bars = [
            Bar(
                x=LABEL_WIDTH,
                y=y + i * (BAR + GAP),
                width=max(min(value, maximum) * scale, 1),
                series=i,
                text=text(value),
            )
            for i, value in enumerate(values)
            if value is not None
        ]
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        drawn.append(Row(label=short, y=y + per_row / 2, bars=bars))
        y += per_row + ROW_GAP
    return BarChart(
        title=title,
        width=WIDTH,
        height=int(y - ROW_GAP + BOTTOM),
        rows=drawn,
        series=list(series) if len(series) > 1 else [],
    )
