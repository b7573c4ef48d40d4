{#
  fiscal_data_package_line (models/marts/exports) is incremental on document_id, like the
  per-document marts, but some of its columns are looked up in dimensions other documents
  decide: the classes' current names and codes (dim_function_class, dim_economic_class: a
  new document can print a class's newer name, or the 款 above another document's 项), and
  the department's canonical name (dim_department; its id is made from that name, so it
  changes only with the seed of aliases, which rebuilds every mart, but it is compared all the same).
  So a run rebuilds the rows of the documents whose state changed (int_document_change) and
  of every document with a row whose department or class names and codes differ from what
  the dimensions give now; rows that would come out the same stay.
#}

{# The function (类 / 款 / 项) and economic (类 / 款) classes of a budget line `lines`, as
   left joins named function_class, function_item, function_subitem, economic_class and
   economic_item: the model and the staleness check below read the same joins. #}
{% macro fiscal_data_package_class_joins(lines) -%}
left join {{ ref('dim_function_class') }} as function_class
    on {{ lines }}.item_code like '2%' and function_class.code = left({{ lines }}.item_code, 3)
left join {{ ref('dim_function_class') }} as function_item
    on {{ lines }}.item_code like '2%' and length({{ lines }}.item_code) >= 5
    and function_item.code = left({{ lines }}.item_code, 5)
left join {{ ref('dim_function_class') }} as function_subitem
    on {{ lines }}.item_code like '2%' and length({{ lines }}.item_code) = 7
    and function_subitem.code = {{ lines }}.item_code
left join {{ ref('dim_economic_class') }} as economic_class
    on {{ lines }}.item_code like '3%' and economic_class.code = left({{ lines }}.item_code, 3)
left join {{ ref('dim_economic_class') }} as economic_item
    on {{ lines }}.item_code like '3%' and length({{ lines }}.item_code) = 5
    and economic_item.code = {{ lines }}.item_code
{%- endmacro %}

{% macro fiscal_data_package_classes() -%}
    {{ return(['function_class', 'function_item', 'function_subitem', 'economic_class', 'economic_item']) }}
{%- endmacro %}

{# Pre-hook of fiscal_data_package_line: the rows to rebuild go; the model then builds every
   current document that has no rows left (models/marts/exports/fiscal_data_package_line.sql). #}
{% macro delete_stale_fiscal_data_package_lines() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ in_changed('document_id') }}
           or document_id in (
                select stored.document_id
                from {{ this }} as stored
                inner join {{ ref('fct_budget_line') }} as lines
                    using (document_id, source_page, source_table, source_row, source_col)
                left join {{ ref('dim_department') }} as departments
                    on departments.department_id = lines.department_id
                {{ fiscal_data_package_class_joins('lines') }}
                where stored.department is distinct from departments.department_name
                {%- for class in fiscal_data_package_classes() %}
                   or stored.{{ class }}_code is distinct from {{ class }}.code
                   or stored.{{ class }}_name is distinct from {{ class }}.name
                {%- endfor %}
           )
    {%- endif -%}
{%- endmacro %}
