{#
  Body of dim_function_class / dim_economic_class: every code of one classification
  that is in the seed or printed on a budget line, plus the 类 of every printed code.
  name: the seed's current name when the code is in the seed (so renamed classes,
  e.g. 医疗卫生与计划生育支出 → 卫生健康支出, show one name under one code), otherwise
  the name printed in the latest fiscal year (ties: most often printed, then
  alphabetical). names_as_printed lists every printed name of the code.
#}
{% macro classification_dimension(classification) -%}
with seed_names as (
    select code, name
    from {{ ref('int_seed_class_name') }}
    where classification = '{{ classification }}'
),

printed as (
    select code, item_name, fiscal_year
    from {{ ref('int_classified_line') }}
    where classification = '{{ classification }}'
      and item_name is not null and item_name <> ''
),

printed_names as (
    select
        code,
        item_name,
        max(fiscal_year) as last_year,
        min(fiscal_year) as first_year,
        count(*) as times_printed
    from printed
    group by code, item_name
),

latest_printed as (
    select
        code,
        item_name as name,
        row_number() over (
            partition by code order by last_year desc, times_printed desc, item_name
        ) as name_rank
    from printed_names
),

printed_summary as (
    select
        code,
        list(item_name order by first_year, item_name) as names_as_printed,
        min(first_year) as first_year_printed,
        max(last_year) as last_year_printed
    from printed_names
    group by code
),

codes as (
    select code from seed_names
    union
    select code from printed_names
    union
    select left(code, 3) from printed_names
)

select
    codes.code,
    case length(codes.code) when 3 then '类' when 5 then '款' when 7 then '项' end as level,
    left(codes.code, 3) as class_code,
    coalesce(seed_names.name, latest_printed.name) as name,
    case
        when seed_names.name is not null then 'seed'
        when latest_printed.name is not null then 'printed'
    end as name_source,
    printed_summary.names_as_printed,
    printed_summary.first_year_printed,
    printed_summary.last_year_printed
from codes
left join seed_names
    on seed_names.code = codes.code
left join latest_printed
    on latest_printed.code = codes.code
    and latest_printed.name_rank = 1
left join printed_summary
    on printed_summary.code = codes.code
{%- endmacro %}
