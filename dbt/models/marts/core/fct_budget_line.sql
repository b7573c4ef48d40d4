-- The printed amounts of the current documents only (a superseded version's lines
-- stay in raw.budget_line as history).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('document_id') }}") }}

with lines as (
    select * from {{ ref('stg_budget_line') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
)

select
    lines.document_id,
    documents.fiscal_year,
    documents.department_name,
    lines.statement,
    lines.section,
    lines.item_code,
    lines.item_name,
    lines.measure,
    lines.amount_yuan,
    lines.source_page,
    lines.source_table,
    lines.source_row,
    lines.source_col,
    lines.printed_amount,
    lines.printed_unit,
    lines.budget_unit,
    lines.period,
    lines.text_source,
    lines.ocr_confidence,
    documents.department_id
from lines
inner join documents
    on lines.document_id = documents.document_id
where {{ in_changed('document_id', 'lines.document_id') }}
