"""Geometry of the skills-map bar chart, computed here so the template only writes SVG elements."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 330
BAR_WIDTH = 320
COUNT_WIDTH = 120
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 8


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    kind: str  # "trained" | "in_training" | "not_trained"


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    trained: int
    in_training: int
    y: int
    text_y: int
    segments: tuple[Segment, ...]
    count_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH


def stacked_bars(rows: list[tuple[str, int, int, int]]) -> Chart:
    """Rows of (label, total, trained, in training): one horizontal bar each, scaled to the largest total."""
    largest = max((total for _, total, _, _ in rows), default=0) or 1
    scale = BAR_WIDTH / largest
    bars = []
    for index, (label, total, trained, in_training) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        segments = []
        for kind, value in (
            ("trained", trained),
            ("in_training", in_training),
            ("not_trained", total - trained - in_training),
        ):
            if value > 0:
                width = round(value * scale, 2)
                segments.append(Segment(x=round(x, 2), width=width, kind=kind))
                x += width
        bars.append(
            Bar(
                label=label,
                total=total,
                trained=trained,
                in_training=in_training,
                y=y,
                text_y=y + BAR_HEIGHT - 5,
                segments=tuple(segments),
                count_x=round(x + 6, 2),
            )
        )
    height = TOP * 2 + max(len(rows), 1) * ROW_HEIGHT
    return Chart(width=LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH, height=height, bars=tuple(bars))
