-- The documents whose rows in the per-document marts must be rebuilt by this run:
-- every document version whose state (department, year, kind, scope, whether it is
-- current, when it was loaded) differs from the state the marts were last built
-- from (state.document_build_state). A new or re-loaded version, the version it supersedes,
-- a removed or quarantined one and one whose department changed all differ.
-- Before the first build, and on a full refresh, every document counts.
-- A build that did not finish leaves its documents here (state.document_build_state
-- empties this table once the marts are built), so the next run rebuilds them too,
-- even one that is no longer loaded: its rows may have reached a mart.
{{ config(materialized='table') }}

{#- Read without ref: the state is built after the marts that depend on this model. #}
{%- set built = adapter.get_relation(database=this.database, schema='state', identifier='document_build_state') %}
{%- set unfinished = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) %}

with current_state as (
    select {{ document_build_signature() }} from {{ ref('int_document_version') }}
),

{% if built is not none and not flags.FULL_REFRESH -%}
built_state as (
    select {{ document_build_signature() }} from {{ built }}
),
{%- else -%}
built_state as (
    select {{ document_build_signature() }} from current_state where false
),
{%- endif %}

changed as (
    (select * from current_state except select * from built_state)
    union all
    (select * from built_state except select * from current_state)
)

select distinct document_id from changed
{%- if unfinished is not none %}
union
select document_id from {{ unfinished }}
{%- endif %}
