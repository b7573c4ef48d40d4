-- The documents whose rows in the per-document marts must be rebuilt by this run:
-- every document version whose state (department, year, kind, scope, whether it is
-- current, when it was loaded) differs from the state the marts were last built
-- from (state.document_build_state). A new or re-loaded version, the version it supersedes,
-- a removed or quarantined one and one whose department changed all differ.
-- Before the first build every document counts.
{{ config(materialized='table') }}

{#- Read without ref: the state is built after the marts that depend on this model. #}
{%- set built = adapter.get_relation(database=this.database, schema='state', identifier='document_build_state') %}

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
