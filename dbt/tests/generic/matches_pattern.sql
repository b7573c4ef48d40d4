{#
  Fails for every non-NULL value of the column that does not fully match the
  regular expression (DuckDB regexp_full_match / RE2 syntax).
#}
{% test matches_pattern(model, column_name, pattern) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and not regexp_full_match({{ column_name }}, '{{ pattern }}')

{% endtest %}
