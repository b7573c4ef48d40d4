"""One document end to end: bytes → raw tables → statements → lines and headlines.

``read_document`` runs camelot (the expensive part); ``parse_document`` works on
its stored output alone, so a parser change re-parses without camelot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pipelines.extraction.classification import assign_budget_units, assign_classification_codes
from pipelines.extraction.headline import Headline, pick_headlines
from pipelines.extraction.headline_gate import gate_headlines, printed_tables
from pipelines.extraction.identities import CheckResult
from pipelines.extraction.limits import DocumentLimits
from pipelines.extraction.lines import BudgetLine, Problem, parse_statement
from pipelines.extraction.metadata import DocumentMetadata, read_metadata
from pipelines.extraction.narrative import Claim, read_claims
from pipelines.extraction.pdf import RawTable, page_texts, read_tables
from pipelines.extraction.periods import BUDGET_YEAR, assign_periods
from pipelines.extraction.preflight import page_count, require_text
from pipelines.extraction.statements import assemble

# Bump when parsing changes what a document yields: stored camelot output is then
# re-parsed (no camelot run) and documents are reloaded.
PARSER_VERSION = "13"
_METADATA_PAGES = 3  # cover, contents, first table page: enough for department and year


@dataclass
class RawDocument:
    """What camelot and pdfium read from the file: the input of every parser."""

    sha256: str
    pages: int
    page_texts: list[str]  # every page's text: the metadata's first pages, the prose's claims
    tables: list[RawTable]

    @property
    def has_all_page_texts(self) -> bool:
        """Output stored before parser 13 kept the first pages' text only."""
        return len(self.page_texts) == self.pages

    def to_dict(self) -> dict:
        return {
            "sha256": self.sha256,
            "pages": self.pages,
            "page_texts": self.page_texts,
            "tables": [t.to_dict() for t in self.tables],
        }

    @classmethod
    def from_dict(cls, data: dict) -> RawDocument:
        return cls(
            sha256=data["sha256"],
            pages=data["pages"],
            page_texts=data.get("page_texts", data.get("first_page_texts", [])),
            tables=[RawTable.from_dict(t) for t in data["tables"]],
        )


@dataclass
class StatementSummary:
    statement: str
    title: str | None
    printed_unit: str
    pages: list[int]
    first_table: int
    rows: int
    lines: int
    empty: bool


@dataclass
class ParsedDocument:
    metadata: DocumentMetadata
    statements: list[StatementSummary]
    lines: list[BudgetLine]
    headlines: list[Headline]
    problems: list[Problem] = field(default_factory=list)
    withheld: list[CheckResult] = field(default_factory=list)  # headline candidates that did not reconcile
    claims: list[Claim] = field(default_factory=list)  # what the prose says about the figures


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(pdf_bytes: bytes, limits: DocumentLimits | None = None) -> RawDocument:
    """Page text and camelot tables; the checks that reject a file come first, before camelot."""
    pages = page_count(pdf_bytes)
    if limits is not None:
        limits.check_pages(pages)
    texts = page_texts(pdf_bytes)
    require_text(texts)
    tables = read_tables(pdf_bytes)
    return RawDocument(
        sha256=sha256_of(pdf_bytes),
        pages=len(texts),
        page_texts=texts,
        tables=tables,
    )


def parse_document(raw: RawDocument) -> ParsedDocument:
    statements = assemble(raw.tables)
    context_lines = [line for t in raw.tables for line in t.context]
    units = [s.unit for s in statements if s.unit]
    titles = [s.title for s in statements if s.title]
    first_pages = raw.page_texts[:_METADATA_PAGES]
    metadata = read_metadata(
        first_pages + [""] * (raw.pages - len(first_pages)),
        context_lines,
        titles,
        units,
        table_rows=[row for t in raw.tables for row in t.texts],
    )

    lines: list[BudgetLine] = []
    problems: list[Problem] = []
    summaries: list[StatementSummary] = []
    for statement in statements:
        unit = statement.printed_unit or metadata.printed_unit
        statement_lines, statement_problems = parse_statement(statement, unit)
        statement_lines = assign_periods(statement, statement_lines, metadata.fiscal_year)
        statement_lines = assign_budget_units(statement_lines, metadata.department_name)
        lines.extend(statement_lines)
        problems.extend(statement_problems)
        summaries.append(
            StatementSummary(
                statement=statement.statement,
                title=statement.title,
                printed_unit=unit,
                pages=statement.pages,
                first_table=statement.master.index,
                rows=sum(p.table.n_rows - p.first_body_row for p in statement.pieces),
                lines=len(statement_lines),
                empty=statement.empty_note or not statement_lines,
            )
        )
    lines = assign_classification_codes(lines, metadata.fiscal_year)
    # Headlines are budget-year figures: other periods' lines are never candidates.
    candidates = pick_headlines(
        [l for l in lines if l.period == BUDGET_YEAR], final_accounts=metadata.document_kind == "final_accounts"
    )
    headlines, withheld = gate_headlines(candidates, lines, printed_tables(statements))
    return ParsedDocument(
        metadata=metadata,
        statements=summaries,
        lines=lines,
        headlines=headlines,
        problems=problems,
        withheld=withheld,
        claims=read_claims(raw.page_texts),
    )


def extract(pdf_bytes: bytes, limits: DocumentLimits | None = None) -> tuple[RawDocument, ParsedDocument]:
    raw = read_document(pdf_bytes, limits)
    return raw, parse_document(raw)
