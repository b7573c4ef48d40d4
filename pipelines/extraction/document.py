"""One document end to end: bytes → raw tables → statements → lines and headlines.

``read_document`` runs camelot (the expensive part); ``parse_document`` works on
its stored output alone, so a parser change re-parses without camelot.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines.extraction.classification import assign_budget_units, assign_classification_codes
from pipelines.extraction.headline import Headline, pick_headlines
from pipelines.extraction.headline_gate import gate_headlines, printed_tables
from pipelines.extraction.identities import PASS, CheckResult, run_checks
from pipelines.extraction.limits import DocumentLimits
from pipelines.extraction.lines import OCR, BudgetLine, Problem, parse_statement
from pipelines.extraction.metadata import DocumentMetadata, read_metadata
from pipelines.extraction.narrative import Claim, read_claims
from pipelines.extraction.numbers import UNIT_FACTORS
from pipelines.extraction.ocr import OcrUnavailable, read_scanned_pages, scanned_pages
from pipelines.extraction.pdf import PdfError, RawTable, read_tables, scan_pages
from pipelines.extraction.periods import BUDGET_YEAR, assign_periods
from pipelines.extraction.preflight import page_count, require_text
from pipelines.extraction.statements import assemble
from pipelines.extraction.text import compact

# Bump when parsing changes what a document yields: stored camelot output is then
# re-parsed (no camelot run) and documents are reloaded.
PARSER_VERSION = "16"
_METADATA_PAGES = 3  # cover, contents, first table page: enough for department and year


@dataclass
class RawDocument:
    """What camelot and pdfium read from the file: the input of every parser."""

    sha256: str
    pages: int
    page_texts: list[str]  # every page's text: the metadata's first pages, the prose's claims
    tables: list[RawTable]
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (no text layer)

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
            "ocr_pages": self.ocr_pages,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RawDocument:
        return cls(
            sha256=data["sha256"],
            pages=data["pages"],
            page_texts=data.get("page_texts", data.get("first_page_texts", [])),
            tables=[RawTable.from_dict(t) for t in data["tables"]],
            ocr_pages=data.get("ocr_pages", []),
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
    # OCR documents only: every identity checked (the gate needs them all to pass).
    ocr_checks: list[CheckResult] = field(default_factory=list)

    @property
    def ocr_breaks(self) -> list[CheckResult]:
        """The identities that fail on a scan: those not passing, but for the document's own
        rounding breaks (``printed_break``)."""
        printed = {id(c) for c in self.ocr_printed_breaks}
        return [c for c in self.ocr_checks if c.status != PASS and id(c) not in printed]

    @property
    def ocr_printed_breaks(self) -> list[CheckResult]:
        readings: dict[tuple, list[BudgetLine]] = defaultdict(list)
        for line in self.lines:
            readings[_item(line)].append(line)
        return [c for c in self.ocr_checks if printed_break(c, readings)]


def printed_break(check: CheckResult, readings: dict[tuple, list[BudgetLine]]) -> bool:
    """Whether a broken identity on a scan is one the document prints itself, not a misread.

    Documents print rounding breaks (a class of 94,995,790 over items adding to 94,995,789,
    in every table that lists them); a text PDF loads them with a warning.  On a scan such a
    break is the document's own only when both hold:

    - it is within the rounding of the printed figures: at most half of each one's last
      printed place (1 yuan for whole yuan, 0.01 for 万元 with two decimals) summed, and not
      nothing;
    - every figure of the identity is corroborated: the same item (code or label), unit and
      period is read with the same amount in another table (a separate crop, read on its
      own), and no other table reads it under the same column with another amount.

    Why a misread cannot pass: a misread figure (a digit off anywhere, the last one by ±1
    included) differs from the other tables' reading of the same item, so it is either
    contradicted (the same column elsewhere says otherwise) or has no agreeing reading, and
    its identity stays a failure.  To pass, OCR would have to misread the same item into the
    same wrong amount in two separately read cells, or into exactly the amount another table
    prints for it when the document contradicts itself.  A break beyond rounding, a withheld
    headline or an identity that does not list its figures is never excused."""
    if check.withheld or not check.figures or check.status == PASS:
        return False
    rounding = sum((_last_place(f) for f in check.figures), Decimal(0)) / 2
    return abs(check.difference) <= rounding and all(_corroborated(f, readings[_item(f)]) for f in check.figures)


def _last_place(line: BudgetLine) -> Decimal:
    """One unit of the last printed digit of ``line``, in yuan; 0 where nothing was printed."""
    printed = line.printed_amount.strip()
    if line.printed_unit not in UNIT_FACTORS or not any(ch.isdigit() for ch in printed):
        return Decimal(0)
    decimals = len(printed.partition(".")[2])
    return Decimal(1).scaleb(-decimals) * UNIT_FACTORS[line.printed_unit]


def _item(line: BudgetLine) -> tuple:
    """What a figure is a reading of: its item (code, else label), unit and period."""
    return (line.item_code or compact(line.item_name), line.budget_unit, line.period)


def _corroborated(figure: BudgetLine, readings: list[BudgetLine]) -> bool:
    """``figure`` read with the same amount in another table, and contradicted by none
    (``readings``: every reading of its item)."""
    elsewhere = [l for l in readings if l.source_table != figure.source_table]
    agrees = any(l.amount_yuan == figure.amount_yuan for l in elsewhere)
    contradicted = any(l.measure == figure.measure and l.amount_yuan != figure.amount_yuan for l in elsewhere)
    return agrees and not contradicted


class OcrNotReconciled(PdfError):
    """A scanned document whose OCR figures do not satisfy its own identities."""


def require_reconciled(raw: RawDocument, parsed: ParsedDocument) -> None:
    """The OCR gate: a scanned document loads only when its identities prove the OCR right.

    Stricter than for text PDFs, where a break the document prints itself only warns:
    on a scan a break is taken for the document's own only when it is within the rounding
    of its printed figures and each of them is read identically in another table
    (``printed_break``); so any other identity off by more than the printed rounding,
    any withheld headline, an amount cell that could not be
    read as a number (it would be left out, and with it the identity that would have
    caught it), a figure read with a confidence under the recogniser's own threshold
    (or from a cell where a label runs into an amount: two cells fused by a rule the
    grid missed, whose figure may sit under the wrong label), or no identity at all to
    check keeps the whole document out."""
    if not any(line.text_source == OCR for line in parsed.lines):
        return  # no figure was read by OCR (a scanned cover or photo page): a text PDF's rules apply
    require_department_read(parsed.metadata)
    unread = [p for p in parsed.problems if p.page in raw.ocr_pages]
    if unread:
        listed = "; ".join(f"{p.kind} p{p.page} row {p.row} col {p.col}: {p.detail}" for p in unread[:_LISTED])
        raise OcrNotReconciled(
            f"OCR figures do not reconcile: {len(unread)} cell(s) of the scanned pages could not be read "
            f"as the table says: {listed}{_and_more(unread)}"
        )
    doubtful = [l for l in parsed.lines if l.ocr_confidence is not None and l.ocr_confidence < MIN_OCR_CONFIDENCE]
    if doubtful:
        listed = "; ".join(
            f"p{l.source_page} row {l.source_row} col {l.source_col} {l.printed_amount} ({l.ocr_confidence:.2f})"
            for l in doubtful[:_LISTED]
        )
        raise OcrNotReconciled(
            f"OCR figures do not reconcile: {len(doubtful)} figure(s) read with a confidence under "
            f"{MIN_OCR_CONFIDENCE} (0: a label and an amount in one cell, a rule the grid missed): "
            f"{listed}{_and_more(doubtful)}"
        )
    checks = parsed.ocr_checks
    if not checks:
        raise OcrNotReconciled(
            f"OCR figures do not reconcile: no accounting identity could be checked on the "
            f"{len(parsed.lines)} figures read from pages {_page_list(raw.ocr_pages)}"
        )
    breaks = parsed.ocr_breaks
    if breaks:
        listed = "; ".join(c.describe() for c in breaks[:_LISTED])
        raise OcrNotReconciled(
            f"OCR figures do not reconcile: {len(breaks)} of {len(checks)} identities fail: {listed}{_and_more(breaks)}"
        )


def require_department_read(metadata: DocumentMetadata) -> None:
    """On a scan the identities prove the figures, not whose figures they are: the department
    must be read the same way at least twice, and never also as a name a character or two
    away (a misread), or every figure would load under a department that does not exist."""
    department = metadata.department_name
    if metadata.near_readings:
        raise OcrNotReconciled(
            f"OCR metadata is uncertain: the department is read as {department} and as "
            f"{', '.join(metadata.near_readings)}"
        )
    if metadata.department_readings < _MIN_DEPARTMENT_READINGS:
        raise OcrNotReconciled(
            f"OCR metadata is uncertain: the department {department} is read in only "
            f"{metadata.department_readings} place; a scan needs {_MIN_DEPARTMENT_READINGS} that agree"
        )


_MIN_DEPARTMENT_READINGS = 2
_LISTED = 5  # a reason names this many failures, then counts the rest
# The recogniser's own threshold for a reading to count (rapidocr's text_score).
MIN_OCR_CONFIDENCE = 0.5


def _and_more(failures: list) -> str:
    return f"; and {len(failures) - _LISTED} more" if len(failures) > _LISTED else ""


def _page_list(pages: list[int]) -> str:
    return f"{pages[0]}-{pages[-1]}" if len(pages) > 2 else ", ".join(map(str, pages))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(pdf_bytes: bytes, limits: DocumentLimits | None = None) -> RawDocument:
    """Page text and camelot tables, and OCR of the pages without a text layer; the checks
    that reject a file come first, before camelot."""
    pages = page_count(pdf_bytes)
    if limits is not None:
        limits.check_pages(pages)
    scan = scan_pages(pdf_bytes, layouts=True)
    texts = scan.texts
    scanned = scanned_pages(pdf_bytes, texts)
    tables = read_tables(pdf_bytes, scan)
    read = []
    if scanned:
        try:
            read = read_scanned_pages(pdf_bytes, scanned, _METADATA_PAGES)
        except OcrUnavailable as exc:
            require_text(texts, reason=str(exc))  # a text PDF with a scanned page loads its text
            read = []
        for page in read:
            texts[page.page - 1] = page.text
            tables.extend(page.tables)
        # Document order: the tables of the text and of the scanned pages interleave by page.
        tables.sort(key=lambda t: t.page)
        for index, table in enumerate(tables):
            table.index = index
    require_text(texts)
    return RawDocument(
        sha256=sha256_of(pdf_bytes),
        pages=len(texts),
        page_texts=texts,
        tables=tables,
        ocr_pages=[page.page for page in read],
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
        scanned=bool(raw.ocr_pages),
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
        ocr_checks=[*run_checks(lines, headlines), *withheld] if raw.ocr_pages else [],
    )


def extract(
    pdf_bytes: bytes, limits: DocumentLimits | None = None, gate: bool = True
) -> tuple[RawDocument, ParsedDocument]:
    """Read and parse one document; with ``gate``, a scan whose figures do not reconcile
    raises ``OcrNotReconciled`` (``yusuan extract`` shows it without the gate)."""
    raw = read_document(pdf_bytes, limits)
    parsed = parse_document(raw)
    if gate:
        require_reconciled(raw, parsed)
    return raw, parsed
