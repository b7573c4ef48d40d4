select
    document_id,
    file_path,
    stage,
    reason,
    details,
    first_seen,
    last_seen
from {{ ref('stg_quarantine') }}
