{#
  The rows of `relation` with the same key's amount one fiscal year earlier, and the
  change. Joined on fiscal_year - 1 (not "the previous row"), so a gap year or a key
  not printed that year gives NULL, never the year before the gap.
#}
{% macro with_previous_year(relation, keys, amount='amount_yuan') -%}
    select
        {{ relation }}.*,
        previous.{{ amount }} as previous_amount_yuan,
        cast({{ relation }}.{{ amount }} - previous.{{ amount }} as decimal(18, 2)) as change_yuan
    from {{ relation }}
    left join {{ relation }} as previous
        on previous.fiscal_year = {{ relation }}.fiscal_year - 1
        {%- for key in keys %}
        and previous.{{ key }} = {{ relation }}.{{ key }}
        {%- endfor %}
{%- endmacro %}
