-- The current document for each department (department_id, so names printed
-- differently in different years count as one department) / fiscal year / kind /
-- scope: the most recently loaded version (see int_document_version).

select
    document_id,
    department_id,
    department_name,
    fiscal_year,
    document_kind,
    scope,
    loaded_at,
    candidate_document_count
from {{ ref('int_document_version') }}
where is_current
