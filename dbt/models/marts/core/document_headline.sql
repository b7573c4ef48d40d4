-- Headline figures of the current documents only.

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
