"""Small SVG charts drawn on the server, for the Insights page.

The console's Content-Security-Policy allows no inline script or style and no other
origin, so a chart library is out; a chart is plain SVG markup with classes (colours are
in staff.css), a title, and its figures as text for screen readers. Every label passes
through `markupsafe.escape`: a label may be a patient's words.
"""

from __future__ import annotations

from typing import Sequence, Tuple

from markupsafe import Markup, escape

BAR_GAP = 2  # px between the columns of a column chart
ROW_HEIGHT, LABEL_WIDTH, VALUE_WIDTH = 24, 180, 70


def columns(title: str, points: Sequence[Tuple[str, int]], width: int = 720, height: int = 160) -> Markup:
    """A column per point (a day: label, count), scaled to the largest; the first and last
    labels under the axis. Each column has its own `<title>` ("2 Mar: 7")."""
    top = max((value for _, value in points), default=0) or 1
    plot = height - 20
    step = width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar = round(plot * value / top, 1)
        bars.append(
            f'<rect class="chart__bar" x="{index * step:.1f}" y="{plot - bar:.1f}" '
            f'width="{max(step - BAR_GAP, 1):.1f}" height="{bar}"><title>{escape(label)}: {value}</title></rect>'
        )
    axis = ""
    if points:
        axis = (
            f'<text class="chart__axis" x="0" y="{height - 4}">{escape(points[0][0])}</text>'
            f'<text class="chart__axis" x="{width}" y="{height - 4}" text-anchor="end">{escape(points[-1][0])}</text>'
        )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}, highest {top}">'
        f"<title>{escape(title)}</title>{''.join(bars)}{axis}</svg>"
    )


def bars(title: str, rows: Sequence[Tuple[str, float, str]], width: int = 560) -> Markup:
    """A horizontal bar per row (label, fraction from 0 to 1, the value as shown: "12 · 30%")."""
    height = ROW_HEIGHT * max(len(rows), 1)
    room = width - LABEL_WIDTH - VALUE_WIDTH
    drawn = []
    for index, (label, fraction, shown) in enumerate(rows):
        y = index * ROW_HEIGHT
        length = round(room * min(max(fraction, 0.0), 1.0), 1)
        drawn.append(
            f'<text class="chart__label" x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart__bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW_HEIGHT - 8}"/>'
            f'<text class="chart__value" x="{LABEL_WIDTH + length + 6}" y="{y + 16}">{escape(shown)}</text>'
        )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(drawn)}</svg>"
    )
