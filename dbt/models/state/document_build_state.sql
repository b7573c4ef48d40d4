-- The document state the per-document marts were built from (read by the next run's
-- int_document_change). Built after every per-document mart and its tests, so a run
-- that fails before leaves the previous state and its change set, and the next run
-- rebuilds those documents again. Bookkeeping of the build, not for analysts: its own schema.
-- depends_on: {{ ref('fct_budget_line') }}
-- depends_on: {{ ref('document_headline') }}
-- depends_on: {{ ref('reconciliation') }}
-- depends_on: {{ ref('fiscal_data_package_line') }}
-- and after every per-department mart (macros/incremental_departments.sql) and its tests, whose
-- change set (int_department_change) it empties too.
{%- for mart in per_department_marts() %}
-- depends_on: {{ ref(mart) }}
{%- endfor %}
-- dbt build makes a model wait for a test (and skips it when the test fails) only when all
-- the test reads is upstream of the model: the seeds the row_rules of the marts and staging
-- models check against, so that no failing test lets the state move on.
-- depends_on: {{ ref('unit') }}
-- depends_on: {{ ref('measure') }}
-- depends_on: {{ ref('period') }}
-- Once it is built, this run's change sets are done (int_document_change and
-- int_department_change keep an unfinished one).
{{ config(
    materialized='table',
    schema='state',
    post_hook=[
        "delete from {{ ref('int_document_change') }}",
        "delete from {{ ref('int_department_change') }}",
    ],
) }}

select {{ document_build_signature() }} from {{ ref('int_document_version') }}
