"""The report page: ReportData in, one self-contained HTML document out.

No network: styles and the one script are inline, charts are SVG drawn here,
and text uses the fonts of the reader's system (a CJK fallback list, so
Chinese renders on macOS, Windows and Linux without downloading a font).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from urllib.parse import quote

from pipelines.outputs.release_diff import ReleaseDiff, change_label
from pipelines.outputs.report import svg
from pipelines.outputs.report.data import ClassAmount, ReportData, Source, ThreePublicAmount

KIND_LABELS = {"budget": "预算", "final_accounts": "决算"}
OCR_MARK = "[OCR]"  # marks a document read from a scan
THREE_PUBLIC_PARTS = {
    "outbound_travel": "因公出国（境）",
    "official_reception": "公务接待",
    "official_vehicles": "公务用车",
}
STATUS_COLORS = {"pass": svg.PALETTE[4], "warn": svg.PALETTE[5], "fail": svg.PALETTE[2]}
_HUNDRED = Decimal(100)

_FONTS = (
    'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
    '"Droid Sans Fallback", SimHei, sans-serif'
)

_STYLE = f"""
body {{ font-family: {_FONTS}; margin: 0; color: #1f2328; background: #f6f8fa; }}
main {{ max-width: 1000px; margin: 0 auto; padding: 24px; }}
h1 {{ font-size: 26px; margin: 8px 0 4px; }}
h2 {{ font-size: 19px; margin: 0 0 4px; }}
p.meta, p.how, .muted {{ color: #59636e; fill: #59636e; font-size: 13px; margin: 4px 0 12px; }}
section, figure.chart {{ background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 16px 20px;
  margin: 0 0 20px; }}
figure.chart {{ margin: 0 0 20px; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 20px; }}
.card {{ background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 10px 16px; min-width: 120px; }}
.card b {{ display: block; font-size: 22px; }}
svg text {{ font-family: inherit; font-size: 12px; fill: #1f2328; }}
svg text.axis {{ fill: #59636e; font-size: 11px; }}
svg text.value {{ fill: #59636e; }}
svg .grid {{ stroke: #e6eaef; }}
svg .zero {{ stroke: #59636e; }}
svg .series {{ stroke-width: 2.5; }}
svg a:hover .mark {{ stroke: #1f2328; stroke-width: 1.5; }}
ul.legend {{ list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px;
  font-size: 13px; }}
ul.legend i {{ display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; }}
details {{ font-size: 13px; margin-top: 8px; color: #59636e; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
section {{ overflow-x: auto; }}
td a {{ word-break: break-all; }}
th, td {{ text-align: left; padding: 4px 8px; border-bottom: 1px solid #e6eaef; vertical-align: top; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.status-fail {{ color: #b42318; font-weight: 600; }}
.status-warn {{ color: #9a6700; font-weight: 600; }}
#self-check {{ background: #ffebe9; border: 1px solid #b42318; border-radius: 8px; padding: 10px 16px; }}
"""

# First in <head>, so it also records errors of the scripts after it.
_ERROR_COLLECTOR = """
window.reportErrors = [];
function recordReportError(message) {
  window.reportErrors.push(String(message));
  document.documentElement.setAttribute("data-js-errors", JSON.stringify(window.reportErrors));
}
window.addEventListener("error", function (event) { recordReportError(event.message); });
window.addEventListener("unhandledrejection", function (event) { recordReportError(event.reason); });
document.documentElement.setAttribute("data-js-errors", "[]");
"""

# Last in <body>: measures every chart as laid out, so a chart that did not draw
# (or a script that failed) is flagged on the page itself, where a reader and the
# headless-browser test both see it.
_SELF_CHECK = """
(function () {
  var failed = [];
  document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
    var svg = figure.querySelector("svg");
    var box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    var drawn = 0;
    figure.querySelectorAll(".mark").forEach(function (mark) {
      var bounds = mark.getBBox();
      if (bounds.width > 0 && bounds.height > 0) { drawn += 1; }
    });
    figure.setAttribute("data-width", Math.round(box.width));
    figure.setAttribute("data-height", Math.round(box.height));
    figure.setAttribute("data-marks-drawn", drawn);
    var expected = Number(figure.getAttribute("data-marks"));
    if (!box.width || !box.height || drawn !== expected) { failed.push(figure.getAttribute("data-chart")); }
  });
  if (window.reportErrors.length) { failed.push("script errors: " + window.reportErrors.join("; ")); }
  document.documentElement.setAttribute("data-self-check", failed.length ? "failed" : "ok");
  if (failed.length) {
    var banner = document.getElementById("self-check");
    banner.textContent = "This page did not render completely: " + failed.join(", ");
    banner.hidden = false;
  }
})();
"""


def pdf_link(source: Source, report_dir: Path) -> str | None:
    """A link from the report to the PDF page: relative, so report and PDFs can move together."""
    if source.file_path is None:
        return None
    href = _relative_href(source.file_path, report_dir)
    return f"{href}#page={source.page}" if source.page else href


@functools.lru_cache(maxsize=4096)
def _relative_href(file_path: str, report_dir: Path) -> str:
    # Once per file: a report over thousands of documents links each of them from many marks.
    return quote(Path(os.path.relpath(file_path, report_dir)).as_posix())


def _where(source: Source) -> str:
    return f"{source.file_name} p.{source.page}" if source.page else source.file_name


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * _HUNDRED / whole).quantize(Decimal("0.01"))


def _year_label(department: str, year: int, kind: str) -> str:
    return f"{department} {year}" + ("" if kind == "budget" else f" {KIND_LABELS[kind]}")


def _series_name(department: str, kind: str) -> str:
    return department if kind == "budget" else f"{department}（{KIND_LABELS[kind]}）"


def _department_colors(data: ReportData) -> dict[str, str]:
    """One colour per department, the same in every chart."""
    departments = sorted({r.department for r in data.totals} | {t.department for t in data.three_public})
    return {department: svg.color(i) for i, department in enumerate(departments)}


def _line_series(points: dict[tuple[str, str], list[svg.Point]], colors: dict[str, str]) -> list[svg.Series]:
    return [
        svg.Series(_series_name(department, kind), colors[department], series, dashed=kind != "budget")
        for (department, kind), series in points.items()
    ]


def _figure(chart_id: str, title: str, how: str, chart: svg.Chart, sources: Iterable[Source], report_dir: Path) -> str:
    legend = "".join(f'<li><i style="background:{c}"></i>{escape(name)}</li>' for c, name in chart.legend)
    pages: dict[str, tuple[str | None, set[int]]] = {}
    for source in sources:
        numbers = pages.setdefault(source.file_name, (source.file_path, set()))[1]
        if source.page:
            numbers.add(source.page)
    items = []
    for file_name, (file_path, numbers) in sorted(pages.items()):
        links = [
            f'<a href="{escape(pdf_link(Source(file_path, file_name, page), report_dir) or "")}">p.{page}</a>'
            for page in sorted(numbers)
        ]
        items.append(f"<li>{escape(file_name)}: {', '.join(links) or 'no page recorded'}</li>")
    return (
        f'<figure class="chart" id="{chart_id}" data-chart="{chart_id}" data-marks="{chart.marks}">'
        f'<h2>{escape(title)}</h2><p class="how">{escape(how)}</p>{chart.svg}'
        + (f'<ul class="legend">{legend}</ul>' if legend else "")
        + f"<details><summary>Sources ({len(pages)} documents)</summary><ul>{''.join(items)}</ul></details>"
        "</figure>"
    )


def _totals_figure(data: ReportData, report_dir: Path) -> str:
    series: dict[tuple[str, str], list[svg.Point]] = {}
    for row in data.totals:
        if row.total is None:
            continue
        title = f"{_year_label(row.department, row.fiscal_year, row.document_kind)}: 支出合计 {svg.yuan(row.total)}"
        mark = svg.Mark(row.total, f"{title} ({_where(row.total_source)})", pdf_link(row.total_source, report_dir))
        series.setdefault((row.department, row.document_kind), []).append(svg.Point(row.fiscal_year, mark))
    chart = svg.line_chart(_line_series(series, _department_colors(data)), "Total expenditure per department and year")
    return _figure(
        "total-expenditure",
        "Total expenditure per department (支出合计)",
        "Each point is a document's printed total; lines join consecutive years only. "
        "Hover for the exact figure, click to open the page it was printed on.",
        chart,
        (r.total_source for r in data.totals if r.total is not None),
        report_dir,
    )


def _change_figure(data: ReportData, report_dir: Path) -> str:
    changed = sorted(
        (r for r in data.totals if r.change_pct is not None),
        key=lambda r: (-r.change_pct, r.fiscal_year, r.department),
    )
    bars = [
        svg.Bar(
            _year_label(r.department, r.fiscal_year, r.document_kind) + _FROM_PROSE.get(r.previous_source, ""),
            svg.Mark(
                r.change_pct,
                f"{_year_label(r.department, r.fiscal_year, r.document_kind)}: {r.change_pct:+} % "
                f"({r.change_yuan:+,.2f} 元 on the year before"
                f"{_FROM_PROSE.get(r.previous_source, '')}; {_where(r.total_source)})",
                pdf_link(r.total_source, report_dir),
            ),
            f"{r.change_pct:+} %",
        )
        for r in changed
    ]
    chart = svg.bar_chart(bars, "Year-over-year change of total expenditure", "% change", svg.plain)
    return _figure(
        "yoy-ranking",
        "Who grew most: year-over-year change of total expenditure",
        "Every department-year with the previous year's total, ranked by the change of its total "
        "(exact yuan, rounded to 0.01 %). Where the previous year's document is not loaded, the previous "
        "total is the one this year's prose states (stated total minus stated change), marked "
        f"“{_FROM_PROSE['narrative'].strip()}”.",
        chart,
        (r.total_source for r in changed),
        report_dir,
    )


def _function_figure(data: ReportData, report_dir: Path) -> str:
    codes = sorted({c.code for c in data.function_classes})
    names = {c.code: c.name for c in data.function_classes}
    colors = {code: svg.color(i) for i, code in enumerate(codes)}
    rows: dict[tuple[str, int, str], list[ClassAmount]] = {}
    for c in data.function_classes:
        rows.setdefault((c.department, c.fiscal_year, c.document_kind), []).append(c)
    stacked = []
    for (department, year, kind), classes in rows.items():
        whole = sum((c.amount for c in classes), Decimal(0))
        segments = [
            svg.Segment(
                colors[c.code],
                svg.Mark(
                    c.amount,
                    f"{_year_label(department, year, kind)} · {c.code} {c.name or ''}: {svg.yuan(c.amount)}"
                    f" ({_pct(c.amount, whole) if whole else 0} %; {_where(c.source)})",
                    pdf_link(c.source, report_dir),
                ),
            )
            for c in classes
        ]
        stacked.append(svg.StackedRow(_year_label(department, year, kind), segments))
    chart = svg.stacked_bar_chart(stacked, "Function-class composition per year", True, "% of 类 total", svg.plain)
    chart.legend = [(colors[code], f"{code} {names[code] or ''}") for code in codes]
    return _figure(
        "function-classes",
        "What the money is for: function classes (类) per year",
        "Each bar is one document's general-budget expenditure by function, split by 类 (100 %). "
        "Classes renamed over the years keep one code and one current name.",
        chart,
        (c.source for c in data.function_classes),
        report_dir,
    )


def _basic_project_figure(data: ReportData, report_dir: Path) -> str:
    rows, sources = [], []
    for r in data.totals:
        if r.basic is None or r.project is None:
            continue
        label = _year_label(r.department, r.fiscal_year, r.document_kind)
        whole = r.basic + r.project
        segments = [
            svg.Segment(
                svg.PALETTE[0],
                svg.Mark(
                    r.basic,
                    f"{label}: 基本支出 {svg.yuan(r.basic)} ({_where(r.basic_source)})",
                    pdf_link(r.basic_source, report_dir),
                ),
            ),
            svg.Segment(
                svg.PALETTE[1],
                svg.Mark(
                    r.project,
                    f"{label}: 项目支出 {svg.yuan(r.project)} ({_where(r.project_source)})",
                    pdf_link(r.project_source, report_dir),
                ),
            ),
        ]
        note = f"基本 {_pct(r.basic, whole)} % · 项目 {_pct(r.project, whole)} %" if whole else ""
        rows.append(svg.StackedRow(label, segments, note))
        sources += [r.basic_source, r.project_source]
    chart = svg.stacked_bar_chart(rows, "Basic against project expenditure", False, "万元", svg.wan)
    chart.legend = [(svg.PALETTE[0], "基本支出 basic"), (svg.PALETTE[1], "项目支出 project")]
    return _figure(
        "basic-project",
        "Basic (基本支出) against project (项目支出) spending",
        "Bars share one scale in 万元; the shares are of basic + project.",
        chart,
        sources,
        report_dir,
    )


def _three_public_figure(data: ReportData, report_dir: Path) -> str:
    parts: dict[tuple[str, int, str], dict[str, ThreePublicAmount]] = {}
    for t in data.three_public:
        parts.setdefault((t.department, t.fiscal_year, t.document_kind), {})[t.measure] = t
    series: dict[tuple[str, str], list[svg.Point]] = {}
    sources = []
    for (department, year, kind), measures in parts.items():
        subtotal = measures.get("three_public_subtotal")
        if subtotal is None:
            continue
        detail = "; ".join(
            f"{label} {svg.yuan(measures[m].amount)}" for m, label in THREE_PUBLIC_PARTS.items() if m in measures
        )
        change = (
            ""
            if subtotal.change_pct is None
            else f"; {subtotal.change_pct:+} % on the year before{_FROM_PROSE.get(subtotal.previous_source, '')}"
        )
        mark = svg.Mark(
            subtotal.amount,
            f"{_year_label(department, year, kind)}: 三公 {svg.yuan(subtotal.amount)} ({detail}{change}; "
            f"{_where(subtotal.source)})",
            pdf_link(subtotal.source, report_dir),
        )
        series.setdefault((department, kind), []).append(svg.Point(year, mark))
        sources.append(subtotal.source)
    chart = svg.line_chart(_line_series(series, _department_colors(data)), "三公 expenses per department and year")
    return _figure(
        "three-public",
        "“三公” expenses: travel abroad, official reception, official vehicles",
        "The printed 三公 subtotal of each document; hover for its parts and the change on the year before.",
        chart,
        sources,
        report_dir,
    )


def _quality_figure(data: ReportData, report_dir: Path) -> str:
    rows = []
    for d in data.checks:
        label = (
            f"{d.department_name} {d.fiscal_year} {KIND_LABELS[d.document_kind]}"
            + ("（单位）" if d.scope == "unit" else "")
            + (f" {OCR_MARK}" if d.read_by_ocr else "")
        )
        counts = {"pass": d.passed, "warn": d.warned, "fail": d.failed}
        segments = [
            svg.Segment(
                STATUS_COLORS[status],
                svg.Mark(
                    Decimal(count), f"{label}: {count} {status} ({_where(d.source)})", pdf_link(d.source, report_dir)
                ),
            )
            for status, count in counts.items()
        ]
        rows.append(svg.StackedRow(label, segments, f"{d.passed} pass · {d.warned} warn · {d.failed} fail"))
    chart = svg.stacked_bar_chart(rows, "Accounting identities per document", False, "checks", svg.plain)
    chart.legend = [(STATUS_COLORS[s], s) for s in STATUS_COLORS]
    return _figure(
        "data-quality",
        "Data quality: accounting identities per document",
        "Each identity (收入总计 = 支出总计, total = basic + project, 类 = Σ 款 …) checked on the printed "
        "figures. A warn or fail is a break the document prints or an extraction suspect; it is listed below. "
        f"{OCR_MARK}: a scan, its figures read by OCR; it loaded because every identity reconciles.",
        chart,
        (d.source for d in data.checks),
        report_dir,
    )


_FROM_PROSE = {"narrative": " (previous year from the prose)"}


def _prose_table(data: ReportData, report_dir: Path) -> str:
    if not data.prose_disagreements:
        return "<p>Every claim of the prose that has a figure to compare with agrees with the tables.</p>"
    rows = "".join(
        f'<tr><td><a href="{escape(pdf_link(d.source, report_dir) or "")}">{escape(_where(d.source))}</a></td>'
        f"<td>{escape(d.department)} {d.fiscal_year}</td>"
        f'<td>{escape(d.subject)}<br><span class="muted">{escape(d.check_name)}</span></td>'
        f"<td>{escape(_shorten(d.sentence))}</td>"
        f'<td class="num">{_money(d.stated)}</td><td class="num">{_money(d.actual)}</td>'
        f'<td class="num">{_money(d.difference)}</td></tr>'
        for d in data.prose_disagreements
    )
    return (
        "<table><thead><tr><th>where</th><th>department</th><th>claim</th><th>sentence</th>"
        '<th class="num">prose (元)</th><th class="num">tables (元)</th><th class="num">difference</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _problems_table(data: ReportData, report_dir: Path) -> str:
    if not data.problems:
        return "<p>Every identity holds in every document.</p>"
    rows = "".join(
        f'<tr><td class="status-{p.status}">{p.status}</td>'
        f'<td><a href="{escape(pdf_link(p.source, report_dir) or "")}">{escape(_where(p.source))}</a></td>'
        f'<td>{escape(p.check_name)}<br><span class="muted">{escape(p.statement or "")} '
        f"{escape(p.subject or '')}</span></td>"
        f'<td class="num">{_money(p.expected)}</td><td class="num">{_money(p.actual)}</td>'
        f'<td class="num">{_money(p.difference)}</td></tr>'
        for p in data.problems
    )
    return (
        "<table><thead><tr><th>status</th><th>where</th><th>identity</th>"
        '<th class="num">expected (元)</th><th class="num">printed (元)</th><th class="num">difference</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _shorten(text: str, limit: int = 300) -> str:
    """Validation details can run to pages; the full text stays in marts.quarantine."""
    return text if len(text) <= limit else text[:limit] + " …"


def _quarantine_table(data: ReportData, report_dir: Path) -> str:
    if not data.quarantine:
        return "<p>No document is quarantined.</p>"
    rows = []
    for q in data.quarantine:
        name = Path(q.file_path).name
        href = pdf_link(Source(q.file_path, name, None), report_dir) or ""
        since = "" if q.first_seen is None else f"{q.first_seen:%Y-%m-%d %H:%M}"
        rows.append(
            f'<tr><td><a href="{escape(href)}">{escape(name)}</a></td><td>{escape(q.stage)}</td>'
            f"<td>{escape(q.reason)}</td><td>{escape(_shorten(q.details or ''))}</td><td>{since}</td></tr>"
        )
    return (
        "<table><thead><tr><th>file</th><th>stage</th><th>reason</th><th>details</th><th>since</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _cards(data: ReportData) -> str:
    years = "–" if data.first_year is None else f"{data.first_year}–{data.last_year}"
    passed = sum(d.passed for d in data.checks)
    broken = sum(d.warned + d.failed for d in data.checks)
    cards = [
        ("documents", str(data.documents)),
        ("departments", str(data.departments)),
        ("fiscal years", years),
        ("budget lines", f"{data.budget_lines:,}"),
        ("identities holding", f"{passed:,} / {passed + broken:,}"),
        ("quarantined files", str(len(data.quarantine))),
    ]
    if scans := sum(d.read_by_ocr for d in data.checks):
        cards.append(("read by OCR (scans)", str(scans)))
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{escape(value)}</b>{escape(name)}</div>' for name, value in cards)
        + "</div>"
    )


def _label(change: dict) -> str:
    return escape(change_label(change))


def _changes_section(changes: ReleaseDiff | None) -> str:
    """What the latest release changed against the one before (``yusuan diff``, as a page section)."""
    if changes is None:
        body = "<p>No earlier release to compare with (or its exports are no longer kept).</p>"
    else:
        documents = changes.documents
        items = [f"<li>added: {_label(d)} ({escape(d['file_name'])})</li>" for d in documents.added]
        items += [
            f"<li>superseded: {_label(d)} ({escape(d['old_file_name'])} → {escape(d['new_file_name'])})</li>"
            for d in documents.superseded
        ]
        items += [f"<li>removed: {_label(d)} ({escape(d['file_name'])})</li>" for d in documents.removed]
        headlines = "".join(
            f"<tr><td>{_label(h)}"
            f'</td><td>{escape(h["metric"])}</td><td class="num">{_money(h["old_value_yuan"])}</td>'
            f'<td class="num">{_money(h["new_value_yuan"])}</td>'
            f"<td>{escape(h['new_file_name'] or h['old_file_name'])}</td></tr>"
            for h in changes.headlines
        )
        moved = "".join(
            f"<tr><td>{_label(y)}</td>"
            f'<td class="num">{_money(y["old_change_pct"])}</td><td class="num">{_money(y["new_change_pct"])}</td></tr>'
            for y in changes.year_over_year
        )
        rows = sum(m["rows_added"] for m in changes.mart_rows), sum(m["rows_removed"] for m in changes.mart_rows)
        body = (
            f"<p>Release {escape(changes.new)} against {escape(changes.old or 'nothing before it')}: "
            f"{len(documents.added)} documents added, {len(documents.superseded)} superseded, "
            f"{len(documents.removed)} removed; {rows[0]:,} mart rows added, {rows[1]:,} removed "
            "(<code>yusuan diff</code> lists them per mart).</p>"
            + (f"<ul>{''.join(items)}</ul>" if items else "")
            + (
                "<h3>Headline figures changed</h3><table><thead><tr><th>document</th><th>metric</th>"
                '<th class="num">old (元)</th><th class="num">new (元)</th><th>file</th></tr></thead>'
                f"<tbody>{headlines}</tbody></table>"
                if headlines
                else "<p>No headline figure changed.</p>"
            )
            + (
                "<h3>Year-over-year changes that moved</h3><table><thead><tr><th>department-year</th>"
                '<th class="num">old change %</th><th class="num">new change %</th></tr></thead>'
                f"<tbody>{moved}</tbody></table>"
                if moved
                else "<p>No department's year-over-year change moved.</p>"
            )
        )
    return f'<section id="latest-release"><h2>What changed in the latest release</h2>{body}</section>'


def render_report(
    data: ReportData,
    report_dir: Path,
    generated_at: datetime,
    warehouse_name: str,
    changes: ReleaseDiff | None = None,
) -> str:
    """The whole page. report_dir is where the file will be written: links to PDFs are relative to it;
    ``changes``: what the latest release changed, when the warehouse is a release with a predecessor."""
    loaded = f"; last load {data.last_loaded:%Y-%m-%d %H:%M}" if data.last_loaded else ""
    figures = [
        _totals_figure(data, report_dir),
        _change_figure(data, report_dir),
        _function_figure(data, report_dir),
        _basic_project_figure(data, report_dir),
        _three_public_figure(data, report_dir),
        _quality_figure(data, report_dir),
    ]
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>yusuan 预算 report</title>
<script>{_ERROR_COLLECTOR}</script>
<style>{_STYLE}</style>
</head>
<body>
<main>
<div id="self-check" hidden></div>
<h1>yusuan 预算: department budgets and final accounts</h1>
<p class="meta">From {escape(warehouse_name)}, generated {generated_at:%Y-%m-%d %H:%M}{loaded}.
Amounts are the printed figures in yuan; department-level documents (部门) only.
Every mark links to the PDF page it was read from.</p>
{_cards(data)}
{_changes_section(changes)}
{"".join(figures)}
<section id="checks"><h2>Identities that do not hold</h2>{_problems_table(data, report_dir)}</section>
<section id="prose"><h2>Where the prose and the tables disagree</h2>
<p class="meta">Claims of the budgets' 说明 against the tables: the stated amount (amount), the previous-year
figure it implies (previous_year) and the stated change (change). Difference = prose − tables.</p>
{_prose_table(data, report_dir)}</section>
<section id="quarantine"><h2>Quarantine</h2>{_quarantine_table(data, report_dir)}</section>
</main>
<script>{_SELF_CHECK}</script>
</body>
</html>
"""
