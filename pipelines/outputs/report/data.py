"""What the report shows, read from the marts of a (published) warehouse.

The only module of the report that runs SQL: each query returns plain rows
with the document path and page every figure was read from, so the rendering
can link each mark to its place in a PDF. Amounts stay Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import duckdb


@dataclass(frozen=True)
class Source:
    """A place in a PDF: the file as loaded, and the page (None when unknown)."""

    file_path: str | None
    file_name: str
    page: int | None


@dataclass(frozen=True)
class DepartmentYear:
    department: str
    fiscal_year: int
    document_kind: str
    total: Decimal | None
    basic: Decimal | None
    project: Decimal | None
    change_yuan: Decimal | None
    change_pct: Decimal | None
    total_source: Source
    basic_source: Source
    project_source: Source
    previous_source: str | None = None  # 'document', or 'narrative': the previous total this year's prose implies


@dataclass(frozen=True)
class ClassAmount:
    department: str
    fiscal_year: int
    document_kind: str
    code: str
    name: str | None
    amount: Decimal
    source: Source


@dataclass(frozen=True)
class ThreePublicAmount:
    department: str
    fiscal_year: int
    document_kind: str
    measure: str
    amount: Decimal
    change_pct: Decimal | None
    source: Source
    previous_source: str | None = None  # 'narrative': the previous amount is the one this year's prose implies


@dataclass(frozen=True)
class DocumentChecks:
    department_name: str
    fiscal_year: int
    document_kind: str
    scope: str
    passed: int
    warned: int
    failed: int
    source: Source  # the first page with a broken identity, else the first page checked
    read_by_ocr: bool = False  # a scan: its figures were read by OCR (and passed the OCR gate)


@dataclass(frozen=True)
class CheckProblem:
    check_name: str
    statement: str | None
    subject: str | None
    expected: Decimal | None
    actual: Decimal | None
    difference: Decimal | None
    status: str
    source: Source


@dataclass(frozen=True)
class ProseDisagreement:
    """A claim of the prose that the tables do not bear out (marts.narrative_check)."""

    department: str
    fiscal_year: int
    subject: str
    check_name: str
    stated: Decimal
    actual: Decimal
    difference: Decimal
    sentence: str
    source: Source


@dataclass(frozen=True)
class Quarantined:
    file_path: str
    stage: str
    reason: str
    details: str | None
    first_seen: datetime | None


@dataclass(frozen=True)
class ReportData:
    documents: int
    departments: int
    budget_lines: int
    first_year: int | None
    last_year: int | None
    last_loaded: datetime | None
    totals: list[DepartmentYear]
    function_classes: list[ClassAmount]
    three_public: list[ThreePublicAmount]
    checks: list[DocumentChecks]
    problems: list[CheckProblem]
    quarantine: list[Quarantined]
    prose_disagreements: list[ProseDisagreement] = field(default_factory=list)


# Department-level documents only, as in docs/queries.sql: a unit-level document
# repeats its department's figures.
_CURRENT = """
    current_documents as (
        select document_id, department_id, fiscal_year, document_kind, scope, file_path, file_name
        from marts.dim_document
        where is_current and scope = 'department'
    )
"""

_SUMMARY_SQL = """
select
    (select count(*) from marts.dim_document where is_current),
    (select count(*) from marts.dim_department),
    (select count(*) from marts.fct_budget_line),
    (select min(fiscal_year) from marts.dim_document where is_current),
    (select max(fiscal_year) from marts.dim_document where is_current),
    (select max(loaded_at) from marts.dim_document)
"""

_TOTALS_SQL = f"""
with {_CURRENT}
select
    totals.department, totals.fiscal_year, totals.document_kind,
    totals.total_expenditure_yuan, totals.basic_expenditure_yuan, totals.project_expenditure_yuan,
    totals.change_yuan, totals.change_pct,
    documents.file_path, documents.file_name,
    total_line.source_page, basic_line.source_page, project_line.source_page, totals.previous_source
from marts.department_year_totals as totals
inner join current_documents as documents
    on documents.department_id = totals.department_id
    and documents.fiscal_year = totals.fiscal_year
    and documents.document_kind = totals.document_kind
    and documents.scope = totals.scope
left join marts.document_headline as total_line
    on total_line.document_id = documents.document_id and total_line.metric = 'total_expenditure'
left join marts.document_headline as basic_line
    on basic_line.document_id = documents.document_id and basic_line.metric = 'basic_expenditure'
left join marts.document_headline as project_line
    on project_line.document_id = documents.document_id and project_line.metric = 'project_expenditure'
order by totals.department, totals.document_kind, totals.fiscal_year
"""

# function_class_yoy is read from the general-budget table by function; the page is
# that of the same code's line in the same table.
_FUNCTION_CLASSES_SQL = f"""
with {_CURRENT}
select
    classes.department, classes.fiscal_year, classes.document_kind, classes.code, classes.name,
    classes.amount_yuan, documents.file_path, documents.file_name, min(lines.source_page)
from marts.function_class_yoy as classes
inner join current_documents as documents
    on documents.department_id = classes.department_id
    and documents.fiscal_year = classes.fiscal_year
    and documents.document_kind = classes.document_kind
    and documents.scope = classes.scope
left join marts.fct_budget_line as lines
    on lines.document_id = documents.document_id
    and lines.statement = 'general_budget_expenditure_by_function'
    and lines.budget_unit is null
    and lines.item_code = classes.code
    and lines.measure in ('total', 'amount')
    and lines.period = 'budget_year'
where classes.level = '类'
group by all
order by classes.department, classes.document_kind, classes.fiscal_year, classes.code
"""

_THREE_PUBLIC_SQL = f"""
with {_CURRENT}
select
    three.department, three.fiscal_year, three.document_kind, three.measure, three.amount_yuan,
    three.change_pct, documents.file_path, documents.file_name, min(lines.source_page), three.previous_source
from marts.three_public_yoy as three
inner join current_documents as documents
    on documents.document_id = three.document_id
left join marts.fct_budget_line as lines
    on lines.document_id = three.document_id
    and lines.statement = 'three_public'
    and lines.budget_unit is null
    and lines.measure = three.measure || coalesce(':' || three.printed_column, '')
    and lines.period = 'budget_year'
where three.measure in ('three_public_subtotal', 'outbound_travel', 'official_reception', 'official_vehicles')
group by all
order by three.department, three.document_kind, three.fiscal_year, three.measure
"""

_CHECKS_SQL = """
select
    department_name, fiscal_year, document_kind, scope,
    checks_passed, checks_warned, checks_failed, file_path, file_name, source_page,
    exists (
        select 1 from marts.fct_budget_line as lines
        where lines.document_id = document_checks.document_id and lines.text_source = 'ocr'
    ) as read_by_ocr
from marts.document_checks
where outcome = 'loaded' and is_current
order by department_name, fiscal_year, document_kind, scope
"""

_PROBLEMS_SQL = """
select
    checks.check_name, checks.statement, checks.subject, checks.expected_yuan, checks.actual_yuan,
    checks.difference_yuan, checks.status, documents.file_path, documents.file_name, checks.source_page
from marts.reconciliation as checks
inner join marts.dim_document as documents
    on documents.document_id = checks.document_id
where checks.status <> 'pass'
order by checks.status = 'warn', documents.file_name, checks.source_page, checks.check_name, checks.subject
"""

_QUARANTINE_SQL = """
select file_path, stage, reason, details, first_seen
from marts.quarantine
order by file_path
"""


_PROSE_DISAGREEMENTS_SQL = """
select
    departments.department_name, checks.fiscal_year, checks.subject, checks.check_name,
    checks.stated_yuan, checks.actual_yuan, checks.difference_yuan, checks.sentence,
    documents.file_path, documents.file_name, checks.source_page
from marts.narrative_check as checks
inner join marts.dim_document as documents
    on documents.document_id = checks.document_id
inner join marts.dim_department as departments
    on departments.department_id = checks.department_id
where checks.status = 'disagree'
order by departments.department_name, checks.fiscal_year, documents.file_name, checks.source_page, checks.check_name
"""


def read_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Everything the report shows, from one connection (a read-only one is enough)."""
    documents, departments, lines, first_year, last_year, last_loaded = con.execute(_SUMMARY_SQL).fetchone()
    totals = [
        DepartmentYear(
            department,
            year,
            kind,
            total,
            basic,
            project,
            change_yuan,
            change_pct,
            Source(path, name, total_page),
            Source(path, name, basic_page),
            Source(path, name, project_page),
            previous_source,
        )
        for (
            department,
            year,
            kind,
            total,
            basic,
            project,
            change_yuan,
            change_pct,
            path,
            name,
            total_page,
            basic_page,
            project_page,
            previous_source,
        ) in con.execute(_TOTALS_SQL).fetchall()
    ]
    classes = [
        ClassAmount(department, year, kind, code, class_name, amount, Source(path, name, page))
        for department, year, kind, code, class_name, amount, path, name, page in con.execute(
            _FUNCTION_CLASSES_SQL
        ).fetchall()
    ]
    three_public = [
        ThreePublicAmount(department, year, kind, measure, amount, change_pct, Source(path, name, page), previous)
        for department, year, kind, measure, amount, change_pct, path, name, page, previous in con.execute(
            _THREE_PUBLIC_SQL
        ).fetchall()
    ]
    checks = [
        DocumentChecks(department, year, kind, scope, passed, warned, failed, Source(path, name, page), ocr)
        for department, year, kind, scope, passed, warned, failed, path, name, page, ocr in con.execute(
            _CHECKS_SQL
        ).fetchall()
    ]
    problems = [
        CheckProblem(check, statement, subject, expected, actual, difference, status, Source(path, name, page))
        for check, statement, subject, expected, actual, difference, status, path, name, page in con.execute(
            _PROBLEMS_SQL
        ).fetchall()
    ]
    quarantine = [Quarantined(*row) for row in con.execute(_QUARANTINE_SQL).fetchall()]
    prose_disagreements = [
        ProseDisagreement(*claim, Source(path, name, page))
        for *claim, path, name, page in con.execute(_PROSE_DISAGREEMENTS_SQL).fetchall()
    ]
    return ReportData(
        documents,
        departments,
        lines,
        first_year,
        last_year,
        last_loaded,
        totals,
        classes,
        three_public,
        checks,
        problems,
        quarantine,
        prose_disagreements,
    )
