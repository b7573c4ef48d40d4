{#
  Fails for every row where the SQL boolean expression is not true
  (NULL counts as a failure unless the expression handles it).
  Usage (model or column level):
    data_tests:
      - expression_is_true:
          arguments:
            expression: "first_seen <= last_seen"
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
