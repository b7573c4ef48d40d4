-- One row per printed amount of the current documents, in the columns of the Fiscal
-- Data Package's budget-lines.csv (pipelines/outputs/fiscal_data_package.py names them
-- and writes them as they are): fiscal concepts as columns, the function and economic
-- classification split into levels with their current names, and the provenance.
-- Incremental on document_id: the pre-hook takes out the rows of the documents that changed
-- and of those whose department or class names changed (macros/fiscal_data_package.sql);
-- a run builds the current documents that have no rows here.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_fiscal_data_package_lines() }}",
) }}
-- depends_on: {{ ref('int_document_change') }}

with lines as (
    select * from {{ ref('fct_budget_line') }}
    {%- if is_incremental() %}
    where document_id not in (select document_id from {{ this }})
    {%- endif %}
),

documents as (
    select * from {{ ref('dim_document') }}
),

departments as (
    select * from {{ ref('dim_department') }}
),

statements as (
    select * from {{ ref('statement') }}
),

-- Phase: a final-accounts table that prints a ':决算数' column beside a plain one
-- (the 三公 table) prints the budget in the plain one; elsewhere final accounts
-- print what was spent.
with_phase as (
    select
        lines.*,
        case
            when documents.document_kind = 'budget' then 'approved'
            when exists (
                select 1 from lines as actual
                where actual.document_id = lines.document_id
                  and actual.statement = lines.statement
                  and actual.measure = lines.measure || ':决算数'
            ) then 'approved'
            else 'executed'
        end as phase,
        documents.scope
    from lines
    inner join documents
        on documents.document_id = lines.document_id
)

select
    concat_ws(
        ':', lines.document_id, lines.source_page, lines.source_table, lines.source_row, lines.source_col
    ) as budget_line_id,
    lines.fiscal_year,
    case
        when lines.statement = 'income_summary' or lines.section = 'income' then 'revenue'
        else 'expenditure'
    end as direction,
    lines.phase,
    case lines.phase when 'approved' then '预算' else '决算' end as phase_label,
    lines.amount_yuan as amount,
    'CNY' as currency,
    lines.department_id,
    departments.department_name as department,
    lines.budget_unit,
    lines.scope,
    function_class.code as function_class_code,
    function_class.name as function_class_name,
    function_item.code as function_item_code,
    function_item.name as function_item_name,
    function_subitem.code as function_subitem_code,
    function_subitem.name as function_subitem_name,
    economic_class.code as economic_class_code,
    economic_class.name as economic_class_name,
    economic_item.code as economic_item_code,
    economic_item.name as economic_item_name,
    lines.statement,
    statements.title_zh as statement_title,
    lines.section,
    lines.measure,
    lines.period,
    lines.item_name,
    lines.document_id,
    lines.source_page,
    lines.source_table,
    lines.source_row,
    lines.source_col,
    lines.printed_amount,
    lines.printed_unit
from with_phase as lines
inner join departments
    on departments.department_id = lines.department_id
left join statements
    on statements.statement = lines.statement
{{ fiscal_data_package_class_joins('lines') }}
