{#
  Fails for every row where one of the listed columns is NULL: the columns a model
  requires, tested in one query instead of a dbt node per column.  Each node costs a
  run tens of milliseconds in dbt and Dagster whatever the rows, and not_null was half
  of the project's ~430 nodes.  A failing row comes back whole (so the document it
  belongs to is known) with null_columns naming what is missing.
  Usage (model level):
    data_tests:
      - not_null_columns:
          arguments:
            columns: [document_id, fiscal_year]
#}
{% test not_null_columns(model, columns) %}

select
    *,
    concat_ws(', '
    {%- for column in columns %}
        , case when {{ adapter.quote(column) }} is null then '{{ column }}' end
    {%- endfor %}
    ) as null_columns
from {{ model }}
where
{%- for column in columns %}
    {{ adapter.quote(column) }} is null{% if not loop.last %} or{% endif %}
{%- endfor %}

{% endtest %}
