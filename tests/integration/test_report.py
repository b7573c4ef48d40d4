"""The HTML report, built from the warehouse of every sample and opened in headless Chromium.

The browser tests check what a reader sees: every chart laid out with its marks
drawn, no script error (neither in the page's own collector nor on the console),
and a screenshot with the charts' colours in it. Two planted faults (a throwing
script, a chart that does not draw) show that those checks do fail.

The figures are checked against the reference figures (tests/data/reference for
Jiangsu, figures read off the pages for Shanghai), the links against the PDFs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from pipelines.cli import main
from pipelines.outputs.report import REPORT_NAME, build_report
from pipelines.outputs.report.data import Quarantined, ReportData
from pipelines.outputs.report.render import render_report
from tests.integration.test_yoy_reference import PROSE_PREVIOUS_TOTAL, REFERENCE, percent, wan
from tests.support.references import JIANGSU, SHANGHAI

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHARTS = ["total-expenditure", "yoy-ranking", "function-classes", "basic-project", "three-public", "data-quality"]
WANLI = "上海市普陀区人民政府万里街道办事处"
SHANGHAI_DEPARTMENT_FILES = [name for name in SHANGHAI if "_unit_" not in name]
WIDTH, HEIGHT = 1280, 4200


# ---------------------------------------------------------------- reading the page


@dataclass
class Figure:
    attrs: dict[str, str]
    marks: list[tuple[Decimal, str | None]] = field(default_factory=list)  # (data-value, href of its link)


class PageParser(HTMLParser):
    """The <html> attributes, and per chart its attributes and its marks with their links."""

    def __init__(self) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.figures: dict[str, Figure] = {}
        self.links: list[str] = []
        self._figure: Figure | None = None
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = values
        elif tag == "figure" and "data-chart" in values:
            self._figure = self.figures[values["data-chart"]] = Figure(values)
        elif tag == "a" and "href" in values:
            self._href = values["href"]
            self.links.append(values["href"])
        elif "mark" in values.get("class", "").split() and self._figure is not None:
            self._figure.marks.append((Decimal(values["data-value"]), self._href))

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        elif tag == "a":
            self._href = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def report(sample_warehouse, tmp_path_factory) -> Path:
    return build_report(sample_warehouse.published, tmp_path_factory.mktemp("report") / REPORT_NAME)


@pytest.fixture(scope="module")
def page(report) -> PageParser:
    return parse(report.read_text(encoding="utf-8"))


def pdf_target(report: Path, href: str) -> tuple[Path, int]:
    """The file and page a link opens."""
    path, _, fragment = href.partition("#")
    assert fragment.startswith("page="), href
    return (report.parent / unquote(path)).resolve(), int(fragment.removeprefix("page="))


# ---------------------------------------------------------------- the browser


def chromium(tmp_path: Path, url: str, *flags: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI's .ci/run installs it)")
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={WIDTH},{HEIGHT}",
            "--hide-scrollbars",
            *flags,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


@dataclass
class Rendered:
    page: PageParser
    console: list[str]  # every console message: the report logs nothing, so any is an error


def render(html: Path, tmp_path: Path) -> Rendered:
    run = chromium(tmp_path, html.as_uri(), "--dump-dom")
    console = [line for line in run.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    return Rendered(parse(run.stdout), console)


def planted(report: Path, tmp_path: Path, fault: str) -> Path:
    """A copy of the report, beside it (so its links still resolve), with a fault right after <main>."""
    copy = report.with_name(f"planted-{tmp_path.name}.html")
    copy.write_text(report.read_text(encoding="utf-8").replace("<main>", f"<main>{fault}", 1), encoding="utf-8")
    return copy


def test_every_chart_renders_in_chromium_without_errors(report, tmp_path):
    rendered = render(report, tmp_path)
    assert rendered.page.root.get("data-js-errors") == "[]"
    assert rendered.console == []
    assert rendered.page.root.get("data-self-check") == "ok"
    figures = rendered.page.figures
    assert list(figures) == CHARTS
    for chart_id, figure in figures.items():
        width, height = int(figure.attrs["data-width"]), int(figure.attrs["data-height"])
        drawn, expected = int(figure.attrs["data-marks-drawn"]), int(figure.attrs["data-marks"])
        assert width > 600 and height > 100, (chart_id, width, height)
        assert drawn == expected >= 5, (chart_id, drawn, expected)


def test_screenshot_shows_the_charts(report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(tmp_path, report.as_uri(), f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(shot) as image:
        assert image.size == (WIDTH, HEIGHT)
        colours = {colour for _count, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert len(colours) > 200  # text, lines and fills, not a blank page
    # the pass bars of the data-quality chart (#59a14f) and the basic-spending bars (#4e79a7)
    assert {(0x59, 0xA1, 0x4F), (0x4E, 0x79, 0xA7)} <= colours


def test_a_throwing_script_is_caught(report, tmp_path):
    rendered = render(planted(report, tmp_path, '<script>throw new Error("planted failure")</script>'), tmp_path)
    assert "planted failure" in rendered.page.root["data-js-errors"]
    assert any("planted failure" in line for line in rendered.console)
    assert rendered.page.root["data-self-check"] == "failed"


def test_a_chart_that_does_not_draw_is_caught(report, tmp_path):
    rendered = render(planted(report, tmp_path, "<style>#three-public svg { display: none }</style>"), tmp_path)
    assert rendered.page.root["data-self-check"] == "failed"
    assert rendered.page.figures["three-public"].attrs["data-marks-drawn"] == "0"
    assert rendered.page.figures["total-expenditure"].attrs["data-marks-drawn"] != "0"


# ---------------------------------------------------------------- the page itself


def test_the_page_is_self_contained(report):
    html = report.read_text(encoding="utf-8")
    # the only URL is the SVG namespace, which is a name, not something fetched
    assert set(re.findall(r"https?://[^\s\"')]+", html)) == {"http://www.w3.org/2000/svg"}
    assert not re.search(r"<(script|img|iframe)\b[^>]*\bsrc=|<link\b|@import|url\(", html)
    # Chinese renders with the reader's own fonts: a CJK fallback for each platform
    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei"):
        assert f'"{font}"' in html
    assert "sans-serif;" in html


def test_every_link_opens_a_page_of_a_loaded_pdf(report, page, con):
    pages = dict(con.execute("SELECT file_path, pages FROM marts.dim_document").fetchall())
    pdf_links = [href for href in page.links if ".pdf" in href]
    assert len(pdf_links) > 100
    for href in pdf_links:
        path, number = pdf_target(report, href)
        assert path.is_file(), href
        assert str(path) in pages, href
        assert 1 <= number <= pages[str(path)], href
    for chart_id in CHARTS:
        assert all(href for _value, href in page.figures[chart_id].marks), chart_id


def headline_page(con, file_name: str, metric: str) -> int:
    return con.execute(
        "SELECT h.source_page FROM marts.document_headline h JOIN marts.dim_document d USING (document_id) "
        "WHERE d.file_name = ? AND h.metric = ?",
        [file_name, metric],
    ).fetchone()[0]


def marks_by_file(report: Path, figure: Figure) -> dict[str, list[tuple[Decimal, int]]]:
    found: dict[str, list[tuple[Decimal, int]]] = {}
    for value, href in figure.marks:
        path, number = pdf_target(report, href)
        found.setdefault(path.name, []).append((value, number))
    return found


def printed_total(file_name: str) -> Decimal:
    for (department, year), name in JIANGSU.items():
        if name == file_name:
            return wan(REFERENCE[(department, year)]["支出合计"])
    return SHANGHAI[file_name]["total_expenditure"]


def test_total_expenditure_chart_shows_the_printed_totals(report, page, con):
    found = marks_by_file(report, page.figures["total-expenditure"])
    files = [*JIANGSU.values(), *SHANGHAI_DEPARTMENT_FILES]
    assert sorted(found) == sorted(files)  # department-level documents only
    for file_name in files:
        assert found[file_name] == [(printed_total(file_name), headline_page(con, file_name, "total_expenditure"))]


def test_growth_ranking_is_ordered_by_the_change(report, page):
    expected = {}
    for department, year in JIANGSU:
        if (department, year - 1) in JIANGSU:
            now, before = (wan(REFERENCE[(department, y)]["支出合计"]) for y in (year, year - 1))
            expected[JIANGSU[(department, year)]] = percent(now - before, before)
    for year in (2024, 2025):
        now, before = (
            SHANGHAI[f"shanghai_putuo_wanli_street_{y}_budget.pdf"]["total_expenditure"] for y in (year, year - 1)
        )
        expected[f"shanghai_putuo_wanli_street_{year}_budget.pdf"] = percent(now - before, before)
    # No 2016 document: the 2017 bars compare with the total the 2017 prose implies, and say so.
    for department, prose_total in PROSE_PREVIOUS_TOTAL.items():
        now = wan(REFERENCE[(department, 2017)]["支出合计"])
        expected[JIANGSU[(department, 2017)]] = percent(now - prose_total, prose_total)
    assert report.read_text(encoding="utf-8").count("(previous year from the prose)") >= 2 * len(PROSE_PREVIOUS_TOTAL)
    bars = [(pdf_target(report, href)[0].name, value) for value, href in page.figures["yoy-ranking"].marks]
    assert dict(bars) == expected
    assert [value for _name, value in bars] == sorted(expected.values(), reverse=True)


def test_prose_table_disagreements_are_listed(report):
    # jiangsu_procuratorate_2017_budget.pdf p19: 基本支出预算数为 12323.46 万元; the table prints 12323.48
    html = report.read_text(encoding="utf-8")
    section = html.split('<section id="prose">', 1)[1].split("</section>", 1)[0]
    assert "jiangsu_procuratorate_2017_budget.pdf#page=19" in section
    assert "基本支出预算数为12323.46万元" in section and "-200.00" in section


def test_basic_and_project_bars(report, page):
    found = marks_by_file(report, page.figures["basic-project"])
    for file_name in SHANGHAI_DEPARTMENT_FILES:
        values = [value for value, _page in found[file_name]]
        assert values == [SHANGHAI[file_name]["basic_expenditure"], SHANGHAI[file_name]["project_expenditure"]]
    for (department, year), file_name in JIANGSU.items():
        values = [value for value, _page in found[file_name]]
        assert values == [
            wan(REFERENCE[(department, year)]["基本支出"]),
            wan(REFERENCE[(department, year)]["项目支出"]),
        ]


def test_function_class_composition(report, page, con):
    found = marks_by_file(report, page.figures["function-classes"])
    wanli_2024 = "shanghai_putuo_wanli_street_2024_budget.pdf"
    assert SHANGHAI[wanli_2024]["function:201"] in [value for value, _page in found[wanli_2024]]
    # each document's segments are its 类 amounts, which add up to the table's 合计
    for file_name, segments in found.items():
        (total,) = con.execute(
            "SELECT sum(amount_yuan) FROM marts.function_class_yoy c JOIN marts.dim_document d "
            "ON d.is_current AND d.department_id = c.department_id AND d.fiscal_year = c.fiscal_year "
            "AND d.document_kind = c.document_kind AND d.scope = c.scope "
            "WHERE d.file_name = ? AND c.level = '类'",
            [file_name],
        ).fetchone()
        assert sum(value for value, _page in segments) == total, file_name


def test_three_public_trend(report, page):
    found = marks_by_file(report, page.figures["three-public"])
    for file_name in SHANGHAI_DEPARTMENT_FILES:
        if "final_accounts" in file_name:  # prints no 三公 subtotal, only the items
            assert file_name not in found
            continue
        assert [value for value, _page in found[file_name]] == [SHANGHAI[file_name]["three_public_total"]]
    assert set(JIANGSU.values()) <= set(found)


def test_data_quality_panel(report, page, con):
    found = marks_by_file(report, page.figures["data-quality"])
    checks = con.execute(
        "SELECT d.file_name, count(*) FILTER (WHERE status = 'pass'), count(*) FILTER (WHERE status = 'warn') "
        "FROM marts.reconciliation r JOIN marts.dim_document d USING (document_id) GROUP BY 1"
    ).fetchall()
    assert len(checks) == 15
    for file_name, passed, warned in checks:
        assert sorted(value for value, _page in found[file_name]) == sorted(v for v in (passed, warned) if v)
    # Putuo 2025 prints 城乡社区管理事务 94,995,790 where its parts add up to 94,995,789: listed with its page
    html = report.read_text(encoding="utf-8")
    assert "94,995,790.00" in html and "94,995,789.00" in html
    assert "No document is quarantined." in html


def test_pipeline_run_writes_the_report(sample_warehouse):
    written = sample_warehouse.published.parent / REPORT_NAME
    assert list(parse(written.read_text(encoding="utf-8")).figures) == CHARTS


def test_cli(sample_warehouse, tmp_path, capsys):
    out = tmp_path / "nested" / "report.html"
    assert main(["report", "--warehouse", str(sample_warehouse.published), "--out", str(out)]) == 0
    assert list(parse(out.read_text(encoding="utf-8")).figures) == CHARTS
    assert main(["report", "--warehouse", str(tmp_path / "missing.duckdb")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_an_empty_warehouse_still_renders(tmp_path):
    # e.g. every document quarantined: the run must not fail on its report
    empty = ReportData(0, 0, 0, None, None, None, [], [], [], [], [], [])
    rendered = parse(render_report(empty, tmp_path, datetime(2025, 1, 1), "empty.duckdb"))
    assert list(rendered.figures) == CHARTS
    assert all(figure.attrs["data-marks"] == "0" and not figure.marks for figure in rendered.figures.values())


def test_quarantined_files_are_listed(tmp_path):
    pdf = tmp_path / "raw" / "坏的 budget.pdf"
    details = "amount cell 'abc' is not a number; " * 40
    quarantined = Quarantined(str(pdf), "validate", "schema", details, datetime(2025, 3, 1, 9, 30))
    data = ReportData(0, 0, 0, None, None, None, [], [], [], [], [], [quarantined])
    html = render_report(data, tmp_path / "published", datetime(2025, 3, 2), "x.duckdb")
    page = parse(html)
    # a relative link to the file itself (there is no page to point at), with the reason and the date
    assert "../raw/%E5%9D%8F%E7%9A%84%20budget.pdf" in page.links
    assert "<td>validate</td><td>schema</td>" in html and "2025-03-01 09:30" in html
    assert escape(details) not in html and escape(details[:300]) in html  # long details are cut, not dropped
    assert "<b>1</b>quarantined files" in html
