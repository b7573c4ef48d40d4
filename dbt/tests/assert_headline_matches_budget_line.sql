{{ config(severity = 'error', meta = {'dagster': {'ref': {'name': 'document_headline'}}}) }}
-- Headlines are picked from budget lines, so every marts.document_headline row must
-- have a marts.fct_budget_line row in the same document and cell
-- (source_page / source_table / source_row / source_col) with the same amount.
-- Returns the offending headlines (with the amount of the line in that cell, if any).

with headlines as (
    select * from {{ ref('document_headline') }}
),

lines as (
    select * from {{ ref('fct_budget_line') }}
)

select
    headlines.document_id,
    headlines.metric,
    headlines.value_yuan,
    headlines.source_page,
    headlines.source_table,
    headlines.source_row,
    headlines.source_col,
    (
        select min(lines.amount_yuan)
        from lines
        where lines.document_id = headlines.document_id
          and lines.source_page = headlines.source_page
          and lines.source_table = headlines.source_table
          and lines.source_row = headlines.source_row
          and lines.source_col = headlines.source_col
    ) as line_amount_yuan
from headlines
where not exists (
    select 1
    from lines
    where lines.document_id = headlines.document_id
      and lines.source_page = headlines.source_page
      and lines.source_table = headlines.source_table
      and lines.source_row = headlines.source_row
      and lines.source_col = headlines.source_col
      and lines.amount_yuan = headlines.value_yuan
)
