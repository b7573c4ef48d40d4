"""Document metadata read from the page: department, fiscal year, kind, scope, unit.

PDF metadata fields lie (real files carry titles of unrelated templates), and
file names are whatever the uploader chose, so only printed text is used.

A document prints its department and year in several places: the cover title
(``2026 年度`` / ``XX局`` / ``部门预算``, wrapped over lines as it may be), running
page headers and section headings (``XX局 2026 年度部门预算公开``), ``部门：…``
lines above the tables, ``部门名称 | XX局`` cells of a table.  Each place gives
candidates; the department is the one most places agree on, and a candidate is
only taken when it looks like an organisation name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipelines.extraction.numbers import PRINTED_UNIT
from pipelines.extraction.text import compact

# Label words that introduce the department (or unit) a document is for.  A bare 主管部门
# is left out: in a unit's document it names the supervising department, not the unit.
_NAME_LABELS = r"编制部门|部门\(单位\)名称|部门名称|(?<![\u4e00-\u9fff])部\s*门|预算单位|编制单位|单位名称"
_LABEL = re.compile(rf"(?:预算主管部门|{_NAME_LABELS}|(?<![\u4e00-\u9fff])单位)\s*[:：]")
_LABEL_AT_LINE_START = re.compile(rf"^\s*(?:{_NAME_LABELS})\s+(?=\S)")
_LABEL_CELL = re.compile(rf"(?:{_NAME_LABELS})[:：]?")
_UNIT_LABEL = re.compile(rf"(金额)?单位\s*[:：]\s*({PRINTED_UNIT})")

# A title: ``2026年度 XX局 部门预算`` or ``XX局 2026年 部门综合预算`` (compacted text).
_KIND = r"(?:[省市区县]级)?(部门|单位)?(?:综合)?(预算|决算)"
_TITLE_YEAR_FIRST = re.compile(rf"(20\d\d)年度?(.{{0,40}}?){_KIND}")
_TITLE_NAME_FIRST = re.compile(rf"(.{{0,40}}?)(20\d\d)年度?{_KIND}")
_YEAR_IN_TITLE = re.compile(r"(20\d\d)年度?[^\d。,，；;]{0,16}?(预算|决算)")
_YEAR_LINE = re.compile(r"\(?(20\d\d)年度\)?|\((20\d\d)年\)")  # the period line under a title
# Lines that carry no words of a cover: page numbers, ``附件2``, ``- 1 -``.
_NOISE_LINE = re.compile(r"^[\s\d\-—–·.]*$|^\s*附件\s*\d*\s*$")
# What a heading starts with before the name: ordinals, ``第二部分``, ``目录``, ``关于``.
_HEADING_PREFIX = re.compile(
    r"^(?:目录|第[一二三四五六七八九十\d]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|关于)+"
)

# An organisation name ends in the word for an organ: 局, 厅, 委员会, 办公室, 中心, 院, 部 …,
# optionally followed by the document's scope as printed: (本级), (汇总).
_SCOPE_NOTE = re.compile(r"\((本级|汇总)\)$")
_ORGAN_SUFFIX = re.compile(r"(?:局|厅|委|会|室|中心|院|部|所|处|站|队|馆|社|府|署|庭|校|园|台|狱|团|组|司|行|学|宫)$")
# Chinese characters, the brackets of a scope note and quotation marks (a name may quote a
# programme, ``“两新”工委``): no numbers, other punctuation or leaders.
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff()\"'“”‘’]*$")
_HEADING_WORDS = re.compile(r"目录|部分|概况|说明|情况|年度|(?:部门|单位)(?:综合)?(?:预算|决算)|预算公开|的")
_HEADING_START = re.compile(r"^(?:第[一二三四五六七八九十]+|附件|关于)")
# Words for an organ in general, not for one organisation.
_GENERIC_ORGANS = frozenset({"办公室", "委员会", "管委会", "办事处", "指挥部", "总部", "工作组", "本部"})

# How much one kind of place counts when places disagree on the department.
_SOURCE_WEIGHT = {"cover": 2, "heading": 1, "label": 1, "cell": 1}


class MetadataError(ValueError):
    """The page does not say which department or year the document is for."""


@dataclass(frozen=True)
class DocumentMetadata:
    department_name: str
    fiscal_year: int
    document_kind: str  # budget | final_accounts
    scope: str  # department | unit
    printed_unit: str  # 万元 | 元, or another unit as printed (its amounts do not convert)
    pages: int
    # How often the department is printed exactly so, and the other names read that differ
    # from it by a character or two: for a scan, the evidence that OCR read the name right.
    department_readings: int = 0
    near_readings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Title:
    """A document title as printed: its department (if it names one), year, scope and kind words."""

    name: str | None
    year: int
    scope_word: str | None  # 部门 | 单位
    kind_word: str  # 预算 | 决算


def is_organisation_name(name: str) -> bool:
    """Whether compacted text reads as an organisation's name, not a heading, a TOC line or a sentence.

    ``XX省高级人民法院``, ``XX市公安局(本级)`` are names; ``第二部分``,
    ``三、部门主要工作任务.....2``, ``目录第一部分XX局概况``, a region ``XX市XX区`` are not.
    """
    if not 3 <= len(name) <= 40 or not _CJK_ONLY.match(name):
        return False
    if _HEADING_WORDS.search(name) or _HEADING_START.match(name):
        return False
    bare = _SCOPE_NOTE.sub("", name)
    if "(" in bare or ")" in bare or bare in _GENERIC_ORGANS:
        return False
    return bool(_ORGAN_SUFFIX.search(bare))


def _read_title(text: str, at_start: bool) -> _Title | None:
    """The title in compacted text; ``at_start`` when it must open the text (a cover).

    The name sits after the year (``2026年度XX局部门预算``) or before it
    (``XX局2026年度部门预算``); a title whose name is no organisation's
    (``XX市2026年市级单位预算``) still gives its year, scope and kind.
    """
    found = []
    for pattern, name_group, year_group in ((_TITLE_YEAR_FIRST, 2, 1), (_TITLE_NAME_FIRST, 1, 2)):
        match = pattern.match(text) if at_start or pattern is _TITLE_NAME_FIRST else pattern.search(text)
        if match:
            name = match.group(name_group)
            found.append(
                _Title(
                    name=name if is_organisation_name(name) else None,
                    year=int(match.group(year_group)),
                    scope_word=match.group(3),
                    kind_word=match.group(4),
                )
            )
    return next((t for t in found if t.name), found[0] if found else None)


def _cover_title(first_page: str) -> _Title | None:
    """The title the first page opens with, its wrapped lines joined."""
    lines = first_page.splitlines()
    while lines and _NOISE_LINE.match(lines[0]):
        lines.pop(0)
    return _read_title(compact("".join(lines))[:120], at_start=True)


def _heading_title(line: str) -> _Title | None:
    """A title printed on one line: a page header, a TOC entry, a section heading, a table title."""
    return _read_title(_HEADING_PREFIX.sub("", compact(line)), at_start=False)


def _label_values(lines: Iterable[str]) -> list[str]:
    """Names printed on ``部门：…`` lines, wherever on the line the name sits."""
    values = []
    for line in lines:
        if _LABEL.search(line):
            rest = _LABEL.sub(" ", _UNIT_LABEL.sub(" ", line))
        elif _LABEL_AT_LINE_START.match(line):
            rest = _LABEL_AT_LINE_START.sub("", _UNIT_LABEL.sub(" ", line))
        else:
            continue
        name = compact(rest)
        if is_organisation_name(name):
            values.append(name)
    return values


def _cell_values(rows: Iterable[Sequence[str]]) -> list[str]:
    """Names in the cell right of a ``部门名称`` cell (table-only attachments, 绩效目标表)."""
    values = []
    for row in rows:
        cells = [compact(cell) for cell in row]
        for index, cell in enumerate(cells):
            if cell and _LABEL_CELL.fullmatch(cell):
                value = next((c for c in cells[index + 1 :] if c), "")
                if is_organisation_name(value):
                    values.append(value)
    return values


def _agreement(sources: list[str]) -> tuple[int, int]:
    """How strongly places agree on a name: the kinds of place that print it, then how often."""
    return sum(_SOURCE_WEIGHT[s] for s in set(sources)), len(sources)


def _choose_department(candidates: list[tuple[str, str]]) -> str | None:
    """The organisation most kinds of place agree on, as it is printed where agreement is strongest.

    A page header repeated on every page is one kind of place: it cannot outvote
    the cover and the headings together.  ``XX局（汇总）`` on the cover and ``XX局``
    in a table are one organisation.
    """
    by_organisation: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, source in candidates:
        by_organisation[_SCOPE_NOTE.sub("", name)][name].append(source)
    if not by_organisation:
        return None
    organisation = max(
        by_organisation,
        key=lambda o: (*_agreement([s for sources in by_organisation[o].values() for s in sources]), len(o)),
    )
    printed = by_organisation[organisation]
    return max(printed, key=lambda name: (*_agreement(printed[name]), len(name)))


def _near_readings(department: str, candidates: list[tuple[str, str]]) -> tuple[str, ...]:
    """Other names of the same length that differ from ``department`` in one or two characters:
    on a scan, one organisation misread (人大 read as 人人), not two organisations."""
    return tuple(
        sorted(
            {
                name
                for name, _source in candidates
                if len(name) == len(department)
                and 0 < sum(a != b for a, b in zip(name, department, strict=True)) <= _NEAR_DIFFERENCES
            }
        )
    )


_NEAR_DIFFERENCES = 2
_DOMINANCE = 3  # times as many readings as every near reading together, to outvote them


def _settle_misreadings(department: str, candidates: list[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    """On a scan, one organisation read two ways (a character or two apart): the department and
    its near readings, settled by a vote only when one reading dominates.

    The winner must be read at least ``_DOMINANCE`` times as often as every near reading
    together, and in at least two kinds of place (the cover's large print, a heading, the
    部门 line of the tables): a misread of one font repeats wherever that font prints the
    name (the 部门 line of every table page), never across renderings.  Otherwise the
    readings stay apart, and the OCR gate quarantines the scan."""
    near = _near_readings(department, candidates)
    if not near:
        return department, near
    readings: dict[str, list[str]] = defaultdict(list)
    for name, source in candidates:
        if name == department or name in near:
            readings[name].append(source)
    winner = max(readings, key=lambda name: len(readings[name]))
    rivals = _near_readings(winner, candidates)
    outvoted = sum(name in rivals for name, _source in candidates)
    if len(readings[winner]) >= _DOMINANCE * outvoted and len(set(readings[winner])) >= 2:
        return winner, ()
    return department, near


def _line_year(line: str) -> int | None:
    """The year a title or a period line states: ``2026年部门收支总表``, ``（2026年度）``."""
    text = compact(line)
    match = _YEAR_IN_TITLE.search(text) or _YEAR_LINE.fullmatch(text)
    if not match:
        return None
    return int(next(group for group in match.groups() if group and group.isdigit()))


def read_metadata(
    page_texts: list[str],
    context_lines: list[str],
    titles: list[str],
    units: list[str],
    table_rows: Iterable[Sequence[str]] = (),
    scanned: bool = False,
) -> DocumentMetadata:
    """Metadata from page texts, the lines printed above tables, the table titles and table cells;
    ``scanned`` when some were read by OCR (a name misread in one place is then outvoted)."""
    page_lines = [line for text in page_texts for line in text.splitlines()]
    rows = list(table_rows)
    cover = _cover_title(page_texts[0]) if page_texts else None
    headings = [t for line in [*page_lines, *context_lines, *titles] if (t := _heading_title(line))]

    candidates = [(cover.name, "cover")] if cover and cover.name else []
    candidates += [(t.name, "heading") for t in headings if t.name]
    candidates += [(name, "label") for name in _label_values([*page_lines, *context_lines])]
    candidates += [(name, "cell") for name in _cell_values(rows)]
    department = _choose_department(candidates)
    if department is None:
        raise MetadataError(
            "no department printed (no cover title, heading, 部门： line or 部门名称 cell names an organisation)"
        )
    if scanned:
        department, near = _settle_misreadings(department, candidates)
    else:
        near = _near_readings(department, candidates)

    if cover:
        year = cover.year
    else:
        cell_lines = [line for row in rows for cell in row for line in cell.splitlines()]
        years = Counter(
            year for line in [*titles, *context_lines, *cell_lines] if (year := _line_year(line)) is not None
        )
        if not years:
            raise MetadataError("no fiscal year printed in the cover, the table titles or the lines above tables")
        year = years.most_common(1)[0][0]

    title_text = "".join(compact(t) for t in titles)
    cover_kind = cover.kind_word if cover else None
    final_votes = title_text.count("决算") + (3 if cover_kind == "决算" else 0)
    budget_votes = title_text.count("预算") + (3 if cover_kind == "预算" else 0)
    kind = "final_accounts" if final_votes > budget_votes else "budget"

    scope_words = Counter(t.scope_word for t in headings if t.scope_word)
    if cover and cover.scope_word:
        scope_words[cover.scope_word] += 3
    unit_votes = (
        scope_words["单位"] + title_text.count("预算单位") + title_text.count("单位预算") + title_text.count("单位决算")
    )
    # (本级) decides only where no 部门/单位 word is printed: a department that is its own
    # single unit may print 部门预算 on its cover.
    if unit_votes or scope_words["部门"]:
        scope = "unit" if unit_votes >= 3 and unit_votes > scope_words["部门"] else "department"
    else:
        scope = "unit" if department.endswith("(本级)") else "department"

    printed_unit = Counter(units).most_common(1)[0][0] if units else "万元"
    return DocumentMetadata(
        department_name=department,
        fiscal_year=year,
        document_kind=kind,
        scope=scope,
        printed_unit=printed_unit,
        pages=len(page_texts),
        department_readings=sum(name == department for name, _source in candidates),
        near_readings=near,
    )
