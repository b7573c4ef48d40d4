-- The departments whose rows in the per-department marts (macros/incremental_departments.sql)
-- this run rebuilds:
--   * the department of each changed document (int_document_change), as it is now and as
--     it was when the marts were last built (state.document_build_state): a document
--     loaded again can read its department's name differently;
--   * every department when the span of fiscal years of the current documents changed:
--     department_year_coverage gives each department a row per year of the span;
--   * the departments of a build that did not finish (state.document_build_state empties
--     this table once the marts are built), as int_document_change keeps its documents.
-- Before the first build, and on a full refresh, every department counts.
{{ config(materialized='table') }}

{#- Read without ref: the state is built after the marts that depend on this model. #}
{%- set built = adapter.get_relation(database=this.database, schema='state', identifier='document_build_state') %}
{%- set unfinished = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) %}

with changes as (
    select document_id from {{ ref('int_document_change') }}
),

current_state as (
    select document_id, department_id, fiscal_year, is_current from {{ ref('int_document_version') }}
),

{% if built is not none and not flags.FULL_REFRESH -%}
built_state as (
    select document_id, department_id, fiscal_year, is_current from {{ built }}
),
{%- else -%}
built_state as (
    select * from current_state where false
),
{%- endif %}

span_changed as (
    select
        (select min(fiscal_year) from current_state where is_current)
            is distinct from (select min(fiscal_year) from built_state where is_current)
        or (select max(fiscal_year) from current_state where is_current)
            is distinct from (select max(fiscal_year) from built_state where is_current) as changed
)

select department_id from current_state where document_id in (select document_id from changes)
union
select department_id from built_state where document_id in (select document_id from changes)
union
select department_id from current_state where (select changed from span_changed)
{%- if unfinished is not none %}
union
select department_id from {{ unfinished }}
{%- endif %}
