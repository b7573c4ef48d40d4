-- Cross-check marts.department_year_totals.previous_total_expenditure_yuan against an
-- independent window-function computation: LAG over fiscal_year within
-- department / document_kind / scope, kept only when the lagged row is exactly
-- fiscal_year - 1 (a gap year must give NULL, not the year before the gap, unless the
-- year's prose states the previous total: previous_source = 'narrative').

with totals as (
    select * from {{ ref('department_year_totals') }}
),

lagged as (
    select
        department,
        fiscal_year,
        document_kind,
        scope,
        previous_total_expenditure_yuan,
        previous_source,
        lag(fiscal_year) over w as lag_fiscal_year,
        lag(total_expenditure_yuan) over w as lag_total_expenditure_yuan
    from totals
    window w as (partition by department, document_kind, scope order by fiscal_year)
),

expected as (
    select
        *,
        case
            when lag_fiscal_year = fiscal_year - 1 then lag_total_expenditure_yuan
        end as expected_previous_total_expenditure_yuan
    from lagged
)

select *
from expected
where previous_total_expenditure_yuan is distinct from expected_previous_total_expenditure_yuan
  and not (expected_previous_total_expenditure_yuan is null and previous_source = 'narrative')
