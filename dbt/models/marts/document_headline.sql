select
    document_id,
    metric,
    value_yuan,
    statement,
    source_page,
    source_table,
    source_row,
    source_col
from {{ ref('stg_headline') }}
