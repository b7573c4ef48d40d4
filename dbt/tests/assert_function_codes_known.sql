{{ config(severity = 'warn', meta = {'dagster': {'ref': {'name': 'fct_budget_line'}}}) }}
-- Function-classification codes (3/5/7 digits starting with 2) on budget lines and
-- function:NNN headline metrics should have a 类 (first 3 digits) listed in the
-- function_class seed. Warn only: new classes appear when the national
-- classification changes, and the seed should then be extended.

with line_codes as (
    select distinct
        'fct_budget_line' as found_in,
        left(item_code, 3) as class_code
    from {{ ref('fct_budget_line') }}
    where regexp_full_match(item_code, '2\d{2}(\d{2}){0,2}')
),

headline_codes as (
    select distinct
        'document_headline' as found_in,
        substr(metric, length('function:') + 1) as class_code
    from {{ ref('document_headline') }}
    where metric like 'function:%'
),

codes as (
    select * from line_codes
    union all
    select * from headline_codes
)

select codes.*
from codes
where not exists (
    select 1
    from {{ ref('function_class') }} as function_class
    where function_class.code = codes.class_code
)
