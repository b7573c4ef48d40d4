{#
  Real (inflation-adjusted) percentage change from previous to amount, with the price
  index of the later year (previous year = 100): 100 * (amount * 100 / cpi - previous) / previous,
  rounded as percent_change rounds. Scaled by 10 so that every operand has at most two
  decimals for percent_change's integer arithmetic. NULL when any input is NULL.
#}
{% macro real_change_pct(amount, previous, cpi) -%}
    {{ percent_change(
        '((' ~ amount ~ ') * 1000 - (' ~ previous ~ ') * (' ~ cpi ~ ') * 10)',
        '((' ~ previous ~ ') * (' ~ cpi ~ ') * 10)'
    ) }}
{%- endmacro %}
