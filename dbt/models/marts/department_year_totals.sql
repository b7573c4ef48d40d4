-- One row per department (as printed) / fiscal year / document kind / scope, from
-- the current (most recently loaded) document, with the change against the same
-- department / kind / scope exactly one fiscal year earlier. The previous year is
-- joined on fiscal_year - 1 (not "the previous row"), so a gap year gives NULL.

with current_documents as (
    select * from {{ ref('int_current_document') }}
),

expenditure as (
    select * from {{ ref('int_document_expenditure') }}
),

yearly as (
    select
        current_documents.department_name as department,
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
        previous.total_expenditure_yuan as previous_total_expenditure_yuan
    from yearly
    left join yearly as previous
        on previous.department = yearly.department
        and previous.document_kind = yearly.document_kind
        and previous.scope = yearly.scope
        and previous.fiscal_year = yearly.fiscal_year - 1
),

final as (
    select
        department,
        fiscal_year,
        document_kind,
        scope,
        total_expenditure_yuan,
        basic_expenditure_yuan,
        project_expenditure_yuan,
        previous_total_expenditure_yuan,
        cast(total_expenditure_yuan - previous_total_expenditure_yuan as decimal(18, 2)) as change_yuan
    from with_previous
)

select
    department,
    fiscal_year,
    document_kind,
    scope,
    cast(total_expenditure_yuan as decimal(18, 2)) as total_expenditure_yuan,
    cast(basic_expenditure_yuan as decimal(18, 2)) as basic_expenditure_yuan,
    cast(project_expenditure_yuan as decimal(18, 2)) as project_expenditure_yuan,
    cast(previous_total_expenditure_yuan as decimal(18, 2)) as previous_total_expenditure_yuan,
    change_yuan,
    {{ percent_change('change_yuan', 'previous_total_expenditure_yuan') }} as change_pct
from final
