-- One row per department / fiscal year / document kind / scope, from the current
-- document of each key (int_current_document), with the change against the same
-- department / kind / scope exactly one fiscal year earlier. The previous year is
-- joined on fiscal_year - 1 (not "the previous row"), so a gap year gives NULL.
-- Departments are identified by department_id, so a department whose printed name
-- changed between years (中国共产党江苏省委员会办公厅 → 中共江苏省委办公厅) still
-- has a previous year; `department` is the canonical name.
-- Where the previous year's document is not loaded, the previous total is the one this
-- year's prose implies (stated total - stated change, marts.narrative_claim), when the
-- stated total is the document's own: previous_source
-- says 'narrative' and previous_basis what the prose compared against (budget, execution,
-- unspecified), so a change against last year's execution is never taken for one against
-- its budget unseen. change_pct_real deflates the change by the consumer price index seed.
-- Incremental per department (macros/incremental_departments.sql); the rank within the
-- region is worked out again over the whole mart after the changed departments' rows are in.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed('department_id') }}",
    post_hook="{{ rerank_growth_in_region() }}",
) }}

with current_documents as (
    select * from {{ ref('int_current_document') }}
    where {{ in_changed('department_id') }}
),

expenditure as (
    select * from {{ ref('int_document_expenditure') }}
),

departments as (
    select * from {{ ref('dim_department') }}
),

narrative_previous as (
    select * from ({{ narrative_previous_year() }})
    where subject = 'total_expenditure'
),

prices as (
    select * from {{ ref('consumer_price_index') }}
),

yearly as (
    select
        current_documents.document_id,
        current_documents.department_id,
        current_documents.fiscal_year,
        current_documents.document_kind,
        current_documents.scope,
        expenditure.total_expenditure_yuan,
        expenditure.basic_expenditure_yuan,
        expenditure.project_expenditure_yuan
    from current_documents
    left join expenditure
        on current_documents.document_id = expenditure.document_id
),

with_previous as (
    select
        yearly.*,
        coalesce(previous.total_expenditure_yuan, narrative_previous.implied_previous_yuan)
            as previous_total_expenditure_yuan,
        case
            when previous.total_expenditure_yuan is not null then 'document'
            when narrative_previous.implied_previous_yuan is not null then 'narrative'
        end as previous_source,
        case
            when previous.total_expenditure_yuan is null then narrative_previous.basis
        end as previous_basis,
        previous.basic_expenditure_yuan as previous_basic_expenditure_yuan,
        previous.project_expenditure_yuan as previous_project_expenditure_yuan
    from yearly
    left join yearly as previous
        on previous.department_id = yearly.department_id
        and previous.document_kind = yearly.document_kind
        and previous.scope = yearly.scope
        and previous.fiscal_year = yearly.fiscal_year - 1
    left join narrative_previous
        on narrative_previous.document_id = yearly.document_id
),

changes as (
    select
        with_previous.*,
        cast(total_expenditure_yuan - previous_total_expenditure_yuan as decimal(18, 2)) as change_yuan,
        cast(basic_expenditure_yuan - previous_basic_expenditure_yuan as decimal(18, 2)) as basic_change_yuan,
        cast(project_expenditure_yuan - previous_project_expenditure_yuan as decimal(18, 2)) as project_change_yuan
    from with_previous
),

with_pct as (
    select
        changes.*,
        {{ percent_change('change_yuan', 'previous_total_expenditure_yuan') }} as change_pct,
        {{ real_change_pct('total_expenditure_yuan', 'previous_total_expenditure_yuan', 'prices.cpi_previous_year_100') }}
            as change_pct_real,
        {{ percent_change('basic_change_yuan', 'previous_basic_expenditure_yuan') }} as basic_change_pct,
        {{ percent_change('project_change_yuan', 'previous_project_expenditure_yuan') }} as project_change_pct,
        departments.department_name,
        departments.province,
        departments.city,
        departments.district,
        coalesce(departments.province, departments.city) as ranking_region
    from changes
    inner join departments
        on departments.department_id = changes.department_id
    left join prices
        on prices.year = changes.fiscal_year
)

select
    department_name as department,
    fiscal_year,
    document_kind,
    scope,
    cast(total_expenditure_yuan as decimal(18, 2)) as total_expenditure_yuan,
    cast(basic_expenditure_yuan as decimal(18, 2)) as basic_expenditure_yuan,
    cast(project_expenditure_yuan as decimal(18, 2)) as project_expenditure_yuan,
    cast(previous_total_expenditure_yuan as decimal(18, 2)) as previous_total_expenditure_yuan,
    change_yuan,
    change_pct,
    department_id,
    province,
    city,
    district,
    ranking_region,
    {{ growth_rank_in_region() }} as growth_rank_in_region,
    cast(previous_basic_expenditure_yuan as decimal(18, 2)) as previous_basic_expenditure_yuan,
    basic_change_yuan,
    basic_change_pct,
    cast(previous_project_expenditure_yuan as decimal(18, 2)) as previous_project_expenditure_yuan,
    project_change_yuan,
    project_change_pct,
    change_pct_real,
    previous_source,
    previous_basis
from with_pct
