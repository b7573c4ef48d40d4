-- Budget lines of current documents that carry a classification code, tagged with
-- the classification the code belongs to and its level:
--   function (支出功能分类): 2xx 类, 2xxxx 款, 2xxxxxx 项;
--   economic (支出经济分类): 3xx 类, 3xxxx 款.
-- Every statement and period is included (names printed in any table feed the
-- dimensions); the year-over-year marts pick their statement, measures and the
-- budget year downstream.
-- item_name is cleaned so names printed in different tables compare equal.
-- Built from staging joined to int_current_document, as the mart fct_budget_line is:
-- an intermediate model does not read a mart.

with lines as (
    select * from {{ ref('stg_budget_line') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
),

classified as (
    select
        lines.*,
        documents.department_id,
        documents.fiscal_year,
        case
            when regexp_full_match(lines.item_code, '2\d{2}(\d{2}){0,2}') then 'function'
            when regexp_full_match(lines.item_code, '3\d{2}(\d{2})?') then 'economic'
        end as classification
    from lines
    inner join documents
        on documents.document_id = lines.document_id
    where lines.item_code is not null
)

select
    document_id,
    department_id,
    fiscal_year,
    statement,
    classification,
    item_code as code,
    case length(item_code) when 3 then '类' when 5 then '款' when 7 then '项' end as level,
    left(item_code, 3) as class_code,
    -- whitespace removed, and a summary's ordinal prefix (一、 / 十二、) dropped
    regexp_replace(regexp_replace(item_name, '\s+', '', 'g'), '^[一二三四五六七八九十]+、', '') as item_name,
    measure,
    amount_yuan,
    budget_unit,
    period,
    source_page,
    source_table,
    source_row
from classified
where classification is not null
