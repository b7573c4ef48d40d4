{#
  Fails for every value of the column that is not listed in a vocabulary seed
  (relationships, for a column whose values may carry a printed-header qualifier:
  with qualified, 'total:其中…' is checked as 'total'). Returns the offending rows, so
  a failure names their documents.
#}
{% test in_vocabulary(model, column_name, to, field, qualified=false) %}

{%- set value = "split_part(" ~ column_name ~ ", ':', 1)" if qualified else column_name %}

select *
from {{ model }}
where {{ column_name }} is not null
  and {{ value }} not in (select {{ field }} from {{ to }})

{% endtest %}
