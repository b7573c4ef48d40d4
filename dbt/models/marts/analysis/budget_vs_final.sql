-- Budget (预算) against final accounts (决算) for the same department / fiscal year /
-- scope / headline metric, from the current documents. A full outer join: a metric
-- printed on one side only still shows, with the other side NULL.
-- Incremental per department (macros/incremental_departments.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('department_id') }}") }}

with headlines as (
    select
        headline.document_id,
        headline.metric,
        headline.value_yuan,
        documents.department_id,
        documents.fiscal_year,
        documents.document_kind,
        documents.scope
    from {{ ref('document_headline') }} as headline
    inner join {{ ref('int_current_document') }} as documents
        on documents.document_id = headline.document_id
    where {{ in_changed('department_id', 'documents.department_id') }}
),

budget as (
    select * from headlines where document_kind = 'budget'
),

final as (
    select * from headlines where document_kind = 'final_accounts'
),

joined as (
    select
        coalesce(budget.department_id, final.department_id) as department_id,
        coalesce(budget.fiscal_year, final.fiscal_year) as fiscal_year,
        coalesce(budget.scope, final.scope) as scope,
        coalesce(budget.metric, final.metric) as metric,
        budget.value_yuan as budget_yuan,
        final.value_yuan as final_yuan,
        budget.document_id as budget_document_id,
        final.document_id as final_document_id
    from budget
    full outer join final
        on final.department_id = budget.department_id
        and final.fiscal_year = budget.fiscal_year
        and final.scope = budget.scope
        and final.metric = budget.metric
)

select
    joined.department_id,
    departments.department_name as department,
    joined.fiscal_year,
    joined.scope,
    joined.metric,
    cast(joined.budget_yuan as decimal(18, 2)) as budget_yuan,
    cast(joined.final_yuan as decimal(18, 2)) as final_yuan,
    cast(joined.final_yuan - joined.budget_yuan as decimal(18, 2)) as difference_yuan,
    -- final / budget * 100: percent_change(x, base) computes 100 * x / base, exactly
    {{ percent_change('joined.final_yuan', 'joined.budget_yuan') }} as execution_rate_pct,
    joined.budget_document_id,
    joined.final_document_id
from joined
inner join {{ ref('dim_department') }} as departments
    on departments.department_id = joined.department_id
