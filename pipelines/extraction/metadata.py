"""Document metadata read from the page: department, fiscal year, kind, scope, unit.

PDF metadata fields lie (real files carry titles of unrelated templates), and
file names are whatever the uploader chose, so only printed text is used.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pipelines.extraction.text import compact

_LABEL = re.compile(r"(预算主管部门|编制部门|部门名称|部\s*门|预算单位|编制单位|单位名称)\s*[:：]")
_UNIT_LABEL = re.compile(r"(金额)?单位\s*[:：]\s*(万元|元)")
_COVER_TITLE = re.compile(r"(20\d\d)年度?(?:区级|省级|市级|县级)?(部门|单位)(预算|决算)")
_YEAR_IN_TITLE = re.compile(r"(20\d\d)年度?[^\d。,，；;]{0,16}?(预算|决算)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEADING_NOISE = re.compile(r"^[\d\s.、]+")


class MetadataError(ValueError):
    """The page does not say which department or year the document is for."""


@dataclass(frozen=True)
class DocumentMetadata:
    department_name: str
    fiscal_year: int
    document_kind: str  # budget | final_accounts
    scope: str  # department | unit
    printed_unit: str  # 万元 | 元
    pages: int


def _label_values(lines: list[str]) -> list[str]:
    """Department names printed on ``部门：…`` lines, wherever on the line the name sits."""
    values = []
    for line in lines:
        if not _LABEL.search(line):
            continue
        rest = _UNIT_LABEL.sub(" ", line)
        rest = _LABEL.sub(" ", rest)
        name = compact(rest)
        if len(name) >= 4 and _CJK.search(name):
            values.append(name)
    return values


def _cover_name(first_pages: str) -> str | None:
    match = _COVER_TITLE.search(first_pages)
    if not match:
        return None
    prefix = _LEADING_NOISE.sub("", first_pages[: match.start()][-40:])
    return prefix if len(prefix) >= 4 else None


def read_metadata(
    page_texts: list[str], context_lines: list[str], titles: list[str], units: list[str]
) -> DocumentMetadata:
    """Metadata from page texts, the lines printed above tables and the table titles."""
    first_pages = compact("".join(page_texts[:2]))
    all_lines = [line for text in page_texts for line in text.splitlines()] + context_lines

    names = Counter(_label_values(all_lines))
    department = None
    if names:
        department = max(names.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
    if department is None:
        department = _cover_name(first_pages)
    if department is None:
        raise MetadataError("no department printed (no 部门： line and no cover title)")

    cover = _COVER_TITLE.search(first_pages)
    if cover:
        year = int(cover.group(1))
    else:
        years = Counter(
            int(m.group(1)) for text in [*titles, *context_lines] for m in _YEAR_IN_TITLE.finditer(compact(text))
        )
        if not years:
            raise MetadataError("no fiscal year printed in the cover or the table titles")
        year = years.most_common(1)[0][0]

    title_text = "".join(compact(t) for t in titles)
    final_votes = title_text.count("决算") + (3 if cover and cover.group(3) == "决算" else 0)
    budget_votes = title_text.count("预算") + (3 if cover and cover.group(3) == "预算" else 0)
    kind = "final_accounts" if final_votes > budget_votes else "budget"

    unit_votes = title_text.count("预算单位") + title_text.count("单位预算") + title_text.count("单位决算")
    if cover and cover.group(2) == "单位":
        unit_votes += 3
    scope = "unit" if unit_votes >= 3 else "department"

    printed_unit = Counter(units).most_common(1)[0][0] if units else "万元"
    return DocumentMetadata(
        department_name=department,
        fiscal_year=year,
        document_kind=kind,
        scope=scope,
        printed_unit=printed_unit,
        pages=len(page_texts),
    )
