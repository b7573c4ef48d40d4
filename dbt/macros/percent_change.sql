{#
  Exact percentage change, rounded half away from zero to 2 decimals, as DECIMAL(18,2).

  DuckDB turns DECIMAL / DECIMAL into DOUBLE, so the ratio is computed in integer
  cents (HUGEINT) instead: pct_hundredths = round(change * 10000 / base).
  NULL when the base is NULL or zero, or the change is NULL.
#}
{% macro percent_change(change, base) -%}
    case
        when {{ base }} is null or {{ base }} = 0 or {{ change }} is null then null
        else cast(
            cast(
                sign(cast({{ change }} * 100 as hugeint))
                * sign(cast({{ base }} * 100 as hugeint))
                * (
                    (abs(cast({{ change }} * 100 as hugeint)) * 20000
                        + abs(cast({{ base }} * 100 as hugeint)))
                    // (2 * abs(cast({{ base }} * 100 as hugeint)))
                )
            as decimal(38, 0)) * 0.01
        as decimal(18, 2))
    end
{%- endmacro %}
