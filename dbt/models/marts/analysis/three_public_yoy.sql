-- "三公" expenses (and the meetings / training / operating-cost figures printed in the
-- same table) per department / fiscal year / kind / scope / measure, from the
-- department-level budget-year rows of the three_public statement, with the change
-- against the same measure one fiscal year earlier.
--
-- Final-accounts tables print each measure twice: the budget (measure as is) and the
-- actual (measure suffixed ':决算数'). A final_accounts document keeps the actual
-- column when printed; a budget document keeps the unsuffixed column. `measure` is
-- the measure without the suffix; printed_column says which column was taken.
-- A measure printed on more than one department-level row (unit rows the parser
-- could not tell apart) keeps the first printed row, as classification_yoy does.
-- Where the previous year's document is not loaded, the previous amount is the one this
-- year's prose implies (narrative_previous_year): previous_source says 'narrative' and
-- previous_basis what the prose compared against (the 三公 prose often compares with
-- 上年执行数, last year's execution, not its budget).
-- Incremental per department (macros/incremental_departments.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('department_id') }}") }}

with lines as (
    select
        *,
        split_part(measure, ':', 1) as base_measure,
        nullif(split_part(measure, ':', 2), '') as printed_column
    from {{ ref('fct_budget_line') }}
    where statement = 'three_public'
      and budget_unit is null
      and period = 'budget_year'  -- the table may print the previous year and the change beside it
      and {{ in_changed('department_id') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
),

departments as (
    select * from {{ ref('dim_department') }}
),

preferred as (
    select
        lines.*,
        documents.document_kind,
        documents.scope,
        row_number() over (
            partition by lines.document_id, lines.base_measure
            order by case
                when documents.document_kind = 'final_accounts' and lines.printed_column = '决算数' then 0
                when lines.printed_column is null then 1
                else 2
            end,
            lines.source_page, lines.source_table, lines.source_row
        ) as preference
    from lines
    inner join documents
        on documents.document_id = lines.document_id
),

amounts as (
    select
        department_id,
        fiscal_year,
        document_kind,
        scope,
        base_measure as measure,
        printed_column,
        amount_yuan,
        document_id
    from preferred
    where preference = 1
),

documented as (
    {{ with_previous_year('amounts', ['department_id', 'document_kind', 'scope', 'measure']) }}
),

narrative_previous as (
    {{ narrative_previous_year() }}
),

changes as (
    select
        documented.* replace (
            coalesce(documented.previous_amount_yuan, narrative_previous.implied_previous_yuan)
                as previous_amount_yuan,
            coalesce(
                documented.change_yuan,
                cast(documented.amount_yuan - narrative_previous.implied_previous_yuan as decimal(18, 2))
            ) as change_yuan
        ),
        case
            when documented.previous_amount_yuan is not null then 'document'
            when narrative_previous.implied_previous_yuan is not null then 'narrative'
        end as previous_source,
        case
            when documented.previous_amount_yuan is null then narrative_previous.basis
        end as previous_basis
    from documented
    left join narrative_previous
        on narrative_previous.document_id = documented.document_id
        and narrative_previous.subject = documented.measure
)

select
    changes.department_id,
    departments.department_name as department,
    changes.fiscal_year,
    changes.document_kind,
    changes.scope,
    changes.measure,
    cast(changes.amount_yuan as decimal(18, 2)) as amount_yuan,
    cast(changes.previous_amount_yuan as decimal(18, 2)) as previous_amount_yuan,
    changes.change_yuan,
    {{ percent_change('changes.change_yuan', 'changes.previous_amount_yuan') }} as change_pct,
    changes.previous_source,
    changes.previous_basis,
    changes.printed_column,
    changes.document_id,
    {{ real_change_pct('changes.amount_yuan', 'changes.previous_amount_yuan', 'prices.cpi_previous_year_100') }}
        as change_pct_real
from changes
inner join departments
    on departments.department_id = changes.department_id
left join {{ ref('consumer_price_index') }} as prices
    on prices.year = changes.fiscal_year
