select
    document_id,
    file_name,
    department_name,
    fiscal_year,
    document_kind,
    scope,
    printed_unit,
    pages,
    loaded_at
from {{ ref('stg_document') }}
