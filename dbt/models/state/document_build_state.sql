-- The document state the per-document marts were built from (read by the next run's
-- int_document_change). Built after every incremental mart, so a run that fails
-- before they are all built leaves the previous state, and the next run rebuilds
-- the same documents again. Bookkeeping of the build, not for analysts: its own schema.
-- depends_on: {{ ref('fct_budget_line') }}
-- depends_on: {{ ref('document_headline') }}
-- depends_on: {{ ref('reconciliation') }}
{{ config(materialized='table', schema='state') }}

select {{ document_build_signature() }} from {{ ref('int_document_version') }}
