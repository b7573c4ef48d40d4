-- Headline figures of the current documents only.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('document_id') }}") }}

with headlines as (
    select * from {{ ref('stg_headline') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
)

select
    headlines.document_id,
    headlines.metric,
    headlines.value_yuan,
    headlines.statement,
    headlines.source_page,
    headlines.source_table,
    headlines.source_row,
    headlines.source_col,
    documents.department_id
from headlines
inner join documents
    on headlines.document_id = documents.document_id
where {{ in_changed('document_id', 'headlines.document_id') }}
