{#
  Body of function_class_yoy / economic_class_yoy: the 类 and 款 amounts of one
  statement, department-level rows of the budget year only (budget_unit IS NULL,
  period 'budget_year': a previous-year column is not this year's figure), columns measured
  'total' (Shanghai, Shenzhen) or 'amount' (Jiangsu's single amount column), with
  the amount of the same department / kind / scope / code for fiscal_year - 1.
  A code not printed that year, or a missing year, gives a NULL previous amount.
  A code printed twice at department level (unit rows the parser could not tell
  from the department's own, when the document names its units differently) keeps
  its first printed row, which in a table by unit is the department's own: one odd
  document must not break the mart's grain, and with it every analyst's build.
#}
{% macro classification_yoy(classification, statement, dimension) -%}
with lines as (
    select *
    from {{ ref('int_classified_line') }}
    where classification = '{{ classification }}'
      and statement = '{{ statement }}'
      and budget_unit is null
      and period = 'budget_year'
      and measure in ('total', 'amount')
      and level in ('类', '款')
      and {{ in_changed('department_id') }}
    qualify row_number() over (
        partition by document_id, code
        order by source_page, source_table, source_row, measure
    ) = 1
),

documents as (
    select * from {{ ref('int_current_document') }}
),

departments as (
    select * from {{ ref('dim_department') }}
),

classes as (
    select * from {{ ref(dimension) }}
),

amounts as (
    select
        lines.department_id,
        documents.fiscal_year,
        documents.document_kind,
        documents.scope,
        lines.level,
        lines.code,
        lines.amount_yuan,
        lines.item_name as name_as_printed,
        lines.document_id
    from lines
    inner join documents
        on documents.document_id = lines.document_id
),

changes as (
    {{ with_previous_year('amounts', ['department_id', 'document_kind', 'scope', 'code']) }}
)

select
    changes.department_id,
    departments.department_name as department,
    changes.fiscal_year,
    changes.document_kind,
    changes.scope,
    changes.level,
    changes.code,
    classes.name,
    cast(changes.amount_yuan as decimal(18, 2)) as amount_yuan,
    cast(changes.previous_amount_yuan as decimal(18, 2)) as previous_amount_yuan,
    changes.change_yuan,
    {{ percent_change('changes.change_yuan', 'changes.previous_amount_yuan') }} as change_pct,
    changes.name_as_printed,
    changes.document_id,
    {{ real_change_pct('changes.amount_yuan', 'changes.previous_amount_yuan', 'prices.cpi_previous_year_100') }}
        as change_pct_real
from changes
inner join departments
    on departments.department_id = changes.department_id
left join {{ ref('consumer_price_index') }} as prices
    on prices.year = changes.fiscal_year
left join classes
    on classes.code = changes.code
{%- endmacro %}
