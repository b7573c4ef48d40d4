-- The questions analysts ask of department budgets, one query
-- each, on the published warehouse (warehouse/published/yusuan.duckdb). Every query
-- reads marts.* only. Amounts are exact yuan, DECIMAL(18,2); percentages are
-- DECIMAL(18,2), rounded half away from zero. Departments are canonical names
-- (dim_department): a department printed under several names is one department.
-- Each query starts at a "-- name:" line; tests/integration/test_queries.py runs them all.

-- name: total_budget_change
-- How did each department's total budget change year over year; which grew most?
-- One row per department and budget year (department-level documents). growth_rank_in_year
-- ranks all departments of that year by change_pct (1 = grew most); growth_rank_in_region
-- ranks within the department's province (or city). A year without the previous year's
-- document has no change and no rank: document against document only (the query
-- yoy_including_narrative adds the years whose previous total only the prose states).
select
    department,
    fiscal_year,
    total_expenditure_yuan,
    case when previous_source = 'document' then previous_total_expenditure_yuan end
        as previous_total_expenditure_yuan,
    case when previous_source = 'document' then change_yuan end as change_yuan,
    case when previous_source = 'document' then change_pct end as change_pct,
    case
        when previous_source = 'document' then
            rank() over (partition by fiscal_year, previous_source = 'document' order by change_pct desc)
    end as growth_rank_in_year,
    case when previous_source = 'document' then growth_rank_in_region end as growth_rank_in_region,
    province,
    city,
    district
from marts.department_year_totals
where document_kind = 'budget'
  and scope = 'department'
order by fiscal_year, growth_rank_in_year nulls last, department;

-- name: basic_vs_project
-- Basic versus project spending per department over the years.
-- One row per department / year / document kind (department-level documents), with each
-- part's share of total expenditure and its change against the previous year.
select
    department,
    fiscal_year,
    document_kind,
    total_expenditure_yuan,
    basic_expenditure_yuan,
    project_expenditure_yuan,
    cast(round(basic_expenditure_yuan * 100 / nullif(total_expenditure_yuan, 0), 2) as decimal(18, 2)) as basic_share_pct,
    cast(round(project_expenditure_yuan * 100 / nullif(total_expenditure_yuan, 0), 2) as decimal(18, 2)) as project_share_pct,
    basic_change_yuan,
    basic_change_pct,
    project_change_yuan,
    project_change_pct
from marts.department_year_totals
where scope = 'department'
order by department, document_kind, fiscal_year;

-- name: function_class_spending
-- Spending by function class (类, 款) per department and year, and its change.
-- From the general-public-budget expenditure table by function; name is the class's
-- current name, so a renamed class (医疗卫生与计划生育支出 → 卫生健康支出) keeps one code
-- and one name across years.
select
    department,
    fiscal_year,
    document_kind,
    level,
    code,
    name,
    amount_yuan,
    previous_amount_yuan,
    change_yuan,
    change_pct
from marts.function_class_yoy
where scope = 'department'
order by department, document_kind, code, fiscal_year;

-- name: three_public_by_year
-- "三公" expenses per department over the years.
-- three_public_subtotal is the 三公 total (出国（境）+ 公务接待 + 公务用车); its parts follow.
-- Final accounts show the actual (决算数) figure.
select
    department,
    fiscal_year,
    document_kind,
    measure,
    amount_yuan,
    previous_amount_yuan,
    change_yuan,
    change_pct
from marts.three_public_yoy
where scope = 'department'
  and measure in ('three_public_subtotal', 'outbound_travel', 'official_reception',
                  'official_vehicles', 'vehicle_purchase', 'vehicle_operation')
order by department, document_kind, measure, fiscal_year;

-- name: budget_vs_final
-- Budget against final accounts for the same department and year.
-- Every headline metric of either side: the other side is NULL when the warehouse has no
-- matching document (execution_rate_pct = final / budget × 100).
select
    department,
    fiscal_year,
    metric,
    budget_yuan,
    final_yuan,
    difference_yuan,
    execution_rate_pct
from marts.budget_vs_final
where scope = 'department'
order by department, fiscal_year, metric;

-- name: figure_provenance
-- Where exactly did this figure come from (document, page, table, row)?
-- Here: every 一般公共服务支出 (function:201) headline, with the cell it was read from and
-- the amount as printed. Change the metric (or join fct_budget_line on any other line).
select
    departments.department_name as department,
    documents.department_name as department_as_printed,
    documents.fiscal_year,
    documents.document_kind,
    documents.scope,
    headline.metric,
    headline.value_yuan,
    line.item_code,
    line.item_name,
    line.printed_amount,
    line.printed_unit,
    documents.file_name,
    headline.document_id,
    headline.statement,
    headline.source_page,
    headline.source_table,
    headline.source_row,
    headline.source_col
from marts.document_headline as headline
inner join marts.dim_document as documents
    on documents.document_id = headline.document_id
inner join marts.dim_department as departments
    on departments.department_id = headline.department_id
left join marts.fct_budget_line as line
    on line.document_id = headline.document_id
    and line.source_page = headline.source_page
    and line.source_table = headline.source_table
    and line.source_row = headline.source_row
    and line.source_col = headline.source_col
where headline.metric = 'function:201'
order by department, documents.fiscal_year, documents.scope;

-- name: prose_table_disagreements
-- Where do the prose (说明) and the tables disagree?
-- One row per claim the budget's prose makes that does not match the tables: the stated
-- amount against the same document's figure (amount), the previous-year figure the claim
-- implies against the previous year's document (previous_year), the stated change against
-- the change between the documents (change). difference_yuan = prose - tables.
select
    departments.department_name as department,
    checks.fiscal_year,
    checks.file_name,
    checks.source_page,
    checks.subject,
    checks.check_name,
    checks.basis,
    checks.stated_yuan,
    checks.actual_yuan,
    checks.difference_yuan,
    checks.sentence,
    checks.document_id
from marts.narrative_check as checks
inner join marts.dim_department as departments
    on departments.department_id = checks.department_id
where checks.status = 'disagree'
order by department, checks.fiscal_year, checks.file_name, checks.source_page, checks.subject, checks.check_name;

-- name: yoy_including_narrative
-- Year-over-year change of total expenditure, including the years whose previous year's
-- document is not loaded but whose prose states the change: previous_source says where the
-- previous total comes from ('document' or 'narrative': stated total - stated change), and
-- previous_basis what the prose compared against (budget, execution, unspecified), so a
-- change against last year's execution is not read as one against its budget.
select
    department,
    fiscal_year,
    document_kind,
    scope,
    total_expenditure_yuan,
    previous_total_expenditure_yuan,
    change_yuan,
    change_pct,
    previous_source,
    previous_basis
from marts.department_year_totals
where previous_source is not null
order by department, document_kind, scope, fiscal_year;

-- name: real_terms_growth
-- How did spending grow in real terms? change_pct_real deflates the change of total
-- expenditure by the year's consumer price index (seed consumer_price_index: national CPI,
-- previous year = 100; replace the seed with a provincial series to use that instead).
-- A year whose index is not yet published has no real change.
select
    department,
    fiscal_year,
    document_kind,
    scope,
    total_expenditure_yuan,
    previous_total_expenditure_yuan,
    change_pct,
    change_pct_real,
    previous_source
from marts.department_year_totals
where change_pct is not null
order by department, document_kind, scope, fiscal_year;
