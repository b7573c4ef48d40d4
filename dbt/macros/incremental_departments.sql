{#
  The cross-document marts (year over year, budget against final accounts, coverage, the
  department dimension, the prose's claims and checks) are built incrementally per
  department: every row of theirs is one department's, worked out from that department's
  documents only (its previous year, its final accounts, its compared document).  A run
  deletes the rows of the departments int_department_change lists and inserts what
  their rows are now.  What other departments decide is kept right after the insert:
  the rank of a change within its region (department_year_totals) and a class's current
  name (function_class_yoy, economic_class_yoy) are compared over the whole mart, and the
  rows that differ are updated.  `yusuan run --full-refresh` (or a changed dbt project)
  rebuilds them whole.  The change set and its filters are shared with the per-document
  marts (macros/incremental_documents.sql: in_changed, delete_changed).
#}

{# The marts whose rows a run rebuilds per department. #}
{% macro per_department_marts() -%}
    {{ return(['dim_department', 'department_year_totals', 'department_year_coverage', 'function_class_yoy',
               'economic_class_yoy', 'three_public_yoy', 'budget_vs_final', 'narrative_claim', 'narrative_check']) }}
{%- endmacro %}

{# department_year_totals.growth_rank_in_region: the change's rank within its region, year,
   kind and scope; the model and its post-hook compute it alike. #}
{% macro growth_rank_in_region() -%}
    case
        when change_pct is not null and ranking_region is not null then
            cast(rank() over (
                partition by ranking_region, fiscal_year, document_kind, scope, change_pct is not null
                order by change_pct desc
            ) as integer)
    end
{%- endmacro %}

{# Post-hook of department_year_totals: a rank is decided by the other departments of the
   region, so after the changed departments' rows are in, every rank is worked out again and
   the rows whose rank moved are updated. #}
{% macro rerank_growth_in_region() -%}
    {%- if is_incremental() -%}
        update {{ this }} as stored
        set growth_rank_in_region = ranked.growth_rank_in_region
        from (
            select department_id, fiscal_year, document_kind, scope, {{ growth_rank_in_region() }} as growth_rank_in_region
            from {{ this }}
        ) as ranked
        where ranked.department_id = stored.department_id
          and ranked.fiscal_year = stored.fiscal_year
          and ranked.document_kind = stored.document_kind
          and ranked.scope = stored.scope
          and ranked.growth_rank_in_region is distinct from stored.growth_rank_in_region
    {%- endif -%}
{%- endmacro %}

{# Post-hook of function_class_yoy / economic_class_yoy: a class's name is the dimension's,
   which any document can change (a newer printed name), so every row whose name is no longer
   the dimension's is updated. #}
{% macro refresh_class_names(dimension) -%}
    {%- if is_incremental() -%}
        update {{ this }} as stored
        set name = (select classes.name from {{ ref(dimension) }} as classes where classes.code = stored.code)
        where stored.name is distinct from (
            select classes.name from {{ ref(dimension) }} as classes where classes.code = stored.code
        )
    {%- endif -%}
{%- endmacro %}
