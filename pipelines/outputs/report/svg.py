"""Server-side SVG charts: plain data in, an SVG string out.

Coordinates are computed in Decimal, like the amounts they come from, so no
figure passes through a float on its way to the page. Every data mark has the
class ``mark`` and its exact value in ``data-value``, and is wrapped in a link
to the page it was read from; the report's self-check counts the marks the
browser actually drew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

# Tableau 10, then its lighter tints: colours readers can tell apart.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#a0cbe8",
    "#ffbe7d",
    "#ff9d9a",
    "#86bcb6",
    "#8cd17d",
    "#f1ce63",
    "#d4a6c8",
    "#fabfd2",
    "#d7b5a6",
    "#79706e",
)
WIDTH = 960
FONT_SIZE = 12
_TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Mark:
    """One drawn figure: its value, a tooltip and where it was printed."""

    value: Decimal
    title: str
    href: str | None


@dataclass(frozen=True)
class Point:
    x: int
    mark: Mark


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    points: list[Point]
    dashed: bool = False  # final accounts: the same department's colour, told apart by the dash


@dataclass(frozen=True)
class Bar:
    label: str
    mark: Mark
    value_label: str


@dataclass(frozen=True)
class Segment:
    color: str
    mark: Mark


@dataclass(frozen=True)
class StackedRow:
    label: str
    segments: list[Segment]
    note: str = ""


@dataclass
class Chart:
    svg: str
    marks: int = 0
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def wan(value: Decimal) -> str:
    """Yuan as 万元 with thousands separators, no trailing zeros: the unit the documents print."""
    text = f"{value / _TEN_THOUSAND:,.2f}"
    return text[:-3] if text.endswith(".00") else text.rstrip("0")


def yuan(value: Decimal) -> str:
    return f"{value:,.2f} 元"


def plain(value: Decimal) -> str:
    """A tick as a plain number: 25, 2.5, -10."""
    return f"{value.normalize():f}"


def text_width(text: str, size: int = FONT_SIZE) -> Decimal:
    """Rendered width estimate: CJK glyphs are a full em, Latin glyphs about 0.6 em."""
    ems = sum(Decimal(1) if ord(ch) >= 0x2E80 else Decimal("0.6") for ch in text)
    return ems * size


def _n(value: Decimal | int) -> str:
    return f"{Decimal(value):.1f}"


def _nice_step(span: Decimal, steps: int = 5) -> Decimal:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) that covers span in about `steps` ticks."""
    raw = span / steps
    magnitude = Decimal(1).scaleb(raw.adjusted())
    return next(magnitude * f for f in (1, 2, Decimal("2.5"), 5, 10) if magnitude * f >= raw)


def _domain(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Round axis bounds (always including 0) and the tick step between them."""
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:
        high = low + 1
    step = _nice_step(high - low)
    lo = (low / step).to_integral_value(ROUND_FLOOR) * step
    hi = (high / step).to_integral_value(ROUND_CEILING) * step
    return lo, hi, step


def _ticks(lo: Decimal, hi: Decimal, step: Decimal) -> list[Decimal]:
    ticks, tick = [], lo
    while tick <= hi:
        ticks.append(tick)
        tick += step
    return ticks


def _mark(mark: Mark) -> str:
    """Attributes of a drawn mark: the self-check finds it by class, readers of the DOM get the exact value."""
    return f'class="mark" data-value="{mark.value}"'


def _link(mark: Mark, body: str) -> str:
    title = f"<title>{escape(mark.title)}</title>"
    if mark.href is None:
        return f"<g>{title}{body}</g>"
    return f'<a href="{escape(mark.href)}" target="_blank">{title}{body}</a>'


def _svg(height: Decimal | int, body: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {_n(height)}" width="100%" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def empty(label: str, message: str) -> Chart:
    """A chart with no data says so instead of drawing an empty frame."""
    body = [f'<text x="{WIDTH // 2}" y="30" text-anchor="middle" class="muted">{escape(message)}</text>']
    return Chart(_svg(50, body, label))


def line_chart(series: list[Series], label: str) -> Chart:
    """Values over fiscal years, one line per series; a line joins consecutive years only,
    so a missing year shows as a gap rather than as a straight line across it."""
    points = [p for s in series for p in s.points]
    if not points:
        return empty(label, "no data")
    years = sorted({p.x for p in points})
    first, last = years[0], years[-1]
    lo, hi, step = _domain(min(p.mark.value for p in points), max(p.mark.value for p in points))
    left, right, top, bottom = 70, 20, 16, 30
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    span_years = max(last - first, 1)

    def x(year: int) -> Decimal:
        offset = Decimal(year - first) if last > first else Decimal("0.5")
        return left + plot_w * offset / span_years

    def y(value: Decimal) -> Decimal:
        return top + plot_h * (hi - value) / (hi - lo)

    body = [f'<text x="4" y="{top - 4}" class="axis">万元</text>']
    for tick in _ticks(lo, hi, step):
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_n(y(tick))}" y2="{_n(y(tick))}" class="grid"/>')
        body.append(f'<text x="{left - 6}" y="{_n(y(tick) + 4)}" text-anchor="end" class="axis">{wan(tick)}</text>')
    for year in range(first, last + 1):
        body.append(f'<text x="{_n(x(year))}" y="{height - 10}" text-anchor="middle" class="axis">{year}</text>')
    marks = 0
    for s in series:
        ordered = sorted(s.points, key=lambda p: p.x)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        for before, after in zip(ordered, ordered[1:]):
            if after.x == before.x + 1:
                body.append(
                    f'<line x1="{_n(x(before.x))}" y1="{_n(y(before.mark.value))}" x2="{_n(x(after.x))}" '
                    f'y2="{_n(y(after.mark.value))}" stroke="{s.color}" class="series"{dash}/>'
                )
        fill = "#fff" if s.dashed else s.color
        for p in ordered:
            circle = (
                f'<circle {_mark(p.mark)} cx="{_n(x(p.x))}" cy="{_n(y(p.mark.value))}" r="5" fill="{fill}" '
                f'stroke="{s.color}" stroke-width="2"/>'
            )
            body.append(_link(p.mark, circle))
            marks += 1
    return Chart(_svg(height, body, label), marks, [(s.color, s.name) for s in series])


def bar_chart(bars: list[Bar], label: str, axis_unit: str, tick_format: Callable[[Decimal], str]) -> Chart:
    """Horizontal bars from a zero line, negative values to its left, in the order given."""
    if not bars:
        return empty(label, "no data")
    label_w = min(max(text_width(b.label) for b in bars) + 12, Decimal(WIDTH // 2))
    value_w = max(text_width(b.value_label) for b in bars) + 8
    lo, hi, step = _domain(min(b.mark.value for b in bars), max(b.mark.value for b in bars))
    left, right, top, row = label_w, value_w, 22, 24
    plot_w = WIDTH - left - right
    height = top + row * len(bars) + 8

    def x(value: Decimal) -> Decimal:
        return left + plot_w * (value - lo) / (hi - lo)

    body = [f'<text x="4" y="12" class="axis">{escape(axis_unit)}</text>']
    for tick in _ticks(lo, hi, step):
        body.append(f'<line x1="{_n(x(tick))}" x2="{_n(x(tick))}" y1="{top}" y2="{_n(height - 8)}" class="grid"/>')
        body.append(
            f'<text x="{_n(x(tick))}" y="{top - 6}" text-anchor="middle" class="axis">{tick_format(tick)}</text>'
        )
    zero = x(Decimal(0))
    for i, b in enumerate(bars):
        y0 = top + row * i
        start, end = sorted((zero, x(b.mark.value)))
        width = max(end - start, Decimal(1))  # a zero change still shows as a hairline
        fill = PALETTE[4] if b.mark.value >= 0 else PALETTE[2]
        body.append(f'<text x="{_n(left - 8)}" y="{y0 + 16}" text-anchor="end">{escape(b.label)}</text>')
        rect = (
            f'<rect {_mark(b.mark)} x="{_n(start)}" y="{y0 + 4}" width="{_n(width)}" height="{row - 8}" fill="{fill}"/>'
        )
        body.append(_link(b.mark, rect))
        anchor, at = ("start", end + 4) if b.mark.value >= 0 else ("end", start - 4)
        body.append(
            f'<text x="{_n(at)}" y="{y0 + 16}" text-anchor="{anchor}" class="value">{escape(b.value_label)}</text>'
        )
    body.append(f'<line x1="{_n(zero)}" x2="{_n(zero)}" y1="{top}" y2="{_n(height - 8)}" class="zero"/>')
    return Chart(_svg(height, body, label), len(bars))


def stacked_bar_chart(
    rows: list[StackedRow], label: str, shares: bool, axis_unit: str, tick_format: Callable[[Decimal], str]
) -> Chart:
    """One horizontal bar per row, its segments side by side.

    With shares, every bar is 100 % (composition); otherwise bars share one
    scale, so rows can be compared by length."""
    rows = [r for r in rows if any(s.mark.value > 0 for s in r.segments)]
    if not rows:
        return empty(label, "no data")
    label_w = min(max(text_width(r.label) for r in rows) + 12, Decimal(WIDTH // 2))
    note_w = max(max((text_width(r.note) for r in rows), default=Decimal(0)) + 8, Decimal(24))
    totals = [sum((s.mark.value for s in r.segments if s.mark.value > 0), Decimal(0)) for r in rows]
    lo, hi, step = (Decimal(0), Decimal(100), Decimal(25)) if shares else _domain(Decimal(0), max(totals))
    left, top, row = label_w, 22, 26
    plot_w = WIDTH - left - note_w
    height = top + row * len(rows) + 8
    body = [f'<text x="4" y="12" class="axis">{escape(axis_unit)}</text>']
    for tick in _ticks(lo, hi, step):
        tx = left + plot_w * tick / hi
        body.append(f'<line x1="{_n(tx)}" x2="{_n(tx)}" y1="{top}" y2="{_n(height - 8)}" class="grid"/>')
        body.append(f'<text x="{_n(tx)}" y="{top - 6}" text-anchor="middle" class="axis">{tick_format(tick)}</text>')
    marks = 0
    for i, (r, total) in enumerate(zip(rows, totals)):
        y0 = top + row * i
        body.append(f'<text x="{_n(left - 8)}" y="{y0 + 17}" text-anchor="end">{escape(r.label)}</text>')
        scale = plot_w / (total if shares else hi)
        cursor = Decimal(left)
        for s in r.segments:
            if s.mark.value <= 0:
                continue
            width = s.mark.value * scale
            rect = (
                f'<rect {_mark(s.mark)} x="{_n(cursor)}" y="{y0 + 4}" width="{_n(width)}" height="{row - 8}" '
                f'fill="{s.color}"/>'
            )
            body.append(_link(s.mark, rect))
            cursor += width
            marks += 1
        if r.note:
            body.append(f'<text x="{_n(cursor + 6)}" y="{y0 + 17}" class="value">{escape(r.note)}</text>')
    return Chart(_svg(height, body, label), marks)
