-- Every loaded document, superseded versions included, with its department_id and
-- whether it is the current version of its department / fiscal year / kind / scope.

select
    document_id,
    file_name,
    file_path,
    department_name,
    fiscal_year,
    document_kind,
    scope,
    printed_unit,
    pages,
    loaded_at,
    department_id,
    is_current,
    superseded_by
from {{ ref('int_document_version') }}
