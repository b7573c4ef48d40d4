-- Every document with its department_id and its place among the versions of the
-- same department / fiscal year / document kind / scope. A re-published PDF has new
-- bytes, hence a new document_id (sha256); the most recently loaded version is
-- current (ties broken by extracted_at, then document_id, so the choice is
-- deterministic). Older versions stay as history; superseded_by points to the
-- version loaded right after it (NULL for the current one).

with documents as (
    select * from {{ ref('stg_document') }}
),

names as (
    select name_as_printed, department_id from {{ ref('int_department_name') }}
),

with_department as (
    select
        documents.*,
        names.department_id
    from documents
    inner join names
        on names.name_as_printed = documents.department_name
),

ranked as (
    select
        *,
        row_number() over newest_first as version_rank,
        lag(document_id) over newest_first as superseded_by,
        count(*) over (partition by department_id, fiscal_year, document_kind, scope) as candidate_document_count
    from with_department
    window newest_first as (
        partition by department_id, fiscal_year, document_kind, scope
        order by loaded_at desc nulls last, extracted_at desc nulls last, document_id desc
    )
)

select
    document_id,
    department_id,
    department_name,
    fiscal_year,
    document_kind,
    scope,
    file_name,
    file_path,
    printed_unit,
    pages,
    extracted_at,
    loaded_at,
    version_rank,
    version_rank = 1 as is_current,
    superseded_by,
    candidate_document_count
from ranked
