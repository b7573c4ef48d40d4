-- Each claim of the prose against the tables. Three checks per claim, where the claim
-- states what they need:
--   amount         the stated amount against the same document's figure for the subject;
--   previous_year  the previous-year figure the claim implies (amount - change) against the
--                  figure printed by the document of the compared year;
--   change         the stated change against the change between the two documents' figures.
-- The compared document is the same department's current document of the compared year
-- and scope, of the kind the basis names: a budget for 上年预算数 / 20XX年预算, the same
-- kind for a bare 比上年, final accounts for 上年决算数; 上年执行数 has none loaded.
-- A figure is a headline metric, or a 三公 measure printed once at department level.
-- The prose rounds or cuts: a stated amount agrees within one unit of its last printed place
-- (whole 万元: 10,000 yuan; 万元 to two decimals: 100 yuan); a change or a previous-year figure
-- worked out from such figures, within the sum of both.
-- Only budgets are checked: final accounts' prose states the budget and the actual side by
-- side (年初预算为…，支出决算为…) and a claim does not say which of its figures is which.
-- Incremental per department (macros/incremental_departments.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('department_id') }}") }}

with claims as (
    select * from {{ ref('narrative_claim') }}
    where document_kind = 'budget'
      and {{ in_changed('department_id') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
),

three_public as (
    select
        document_id,
        measure as subject,
        min(amount_yuan) as value_yuan
    from {{ ref('fct_budget_line') }}
    where statement = 'three_public'
      and budget_unit is null
      and period = 'budget_year'
      and {{ in_changed('department_id') }}
    group by document_id, measure
    having count(distinct amount_yuan) = 1
),

figures as (
    select document_id, metric as subject, value_yuan
    from {{ ref('document_headline') }}
    union all
    select document_id, subject, value_yuan
    from three_public  -- measure names (three_public_subtotal, outbound_travel …) are no headline metric's
),

compared as (
    select
        claims.*,
        current_figure.value_yuan as table_yuan,
        previous_document.document_id as previous_document_id,
        previous_figure.value_yuan as previous_table_yuan,
        case
            when claims.amount_yuan % 10000 = 0 then 10000
            when claims.amount_yuan % 100 = 0 then 100
            else 1
        end as amount_tolerance,
        case
            when claims.change_yuan % 10000 = 0 then 10000
            when claims.change_yuan % 100 = 0 then 100
            else 1
        end as change_tolerance
    from claims
    left join figures as current_figure
        on current_figure.document_id = claims.document_id
        and current_figure.subject = claims.subject
    left join documents as previous_document
        on previous_document.department_id = claims.department_id
        and previous_document.scope = claims.scope
        and previous_document.fiscal_year = claims.compared_year
        and previous_document.document_kind = case claims.basis
            when 'budget' then 'budget'
            when 'final_accounts' then 'final_accounts'
            when 'unspecified' then claims.document_kind
        end
    left join figures as previous_figure
        on previous_figure.document_id = previous_document.document_id
        and previous_figure.subject = claims.subject
),

checks as (
    select
        compared.*,
        'amount' as check_name,
        amount_yuan as stated_yuan,
        table_yuan as actual_yuan,
        amount_tolerance as tolerance_yuan
    from compared
    where amount_yuan is not null
    union all
    select
        compared.*,
        'previous_year' as check_name,
        implied_previous_yuan as stated_yuan,
        previous_table_yuan as actual_yuan,
        amount_tolerance + change_tolerance as tolerance_yuan
    from compared
    where implied_previous_yuan is not null
    union all
    select
        compared.*,
        'change' as check_name,
        change_yuan as stated_yuan,
        cast(table_yuan - previous_table_yuan as decimal(18, 2)) as actual_yuan,
        amount_tolerance + change_tolerance as tolerance_yuan
    from compared
    where change_yuan is not null
)

select
    document_id,
    claim_index,
    check_name,
    department_id,
    fiscal_year,
    document_kind,
    scope,
    file_name,
    subject,
    basis,
    compared_year,
    previous_document_id,
    cast(stated_yuan as decimal(18, 2)) as stated_yuan,
    cast(actual_yuan as decimal(18, 2)) as actual_yuan,
    cast(stated_yuan - actual_yuan as decimal(18, 2)) as difference_yuan,
    cast(tolerance_yuan as decimal(18, 2)) as tolerance_yuan,
    case
        when actual_yuan is null then 'no_counterpart'
        when abs(stated_yuan - actual_yuan) <= tolerance_yuan then 'agree'
        else 'disagree'
    end as status,
    source_page,
    sentence
from checks
