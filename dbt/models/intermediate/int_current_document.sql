-- The "current document" for each department / fiscal year / kind / scope:
-- when several documents exist (re-issued PDFs, corrected versions, duplicates
-- under different file names), keep the most recently loaded one.
-- Ties on loaded_at fall back to extracted_at, then document_id, so the choice
-- is deterministic.

with documents as (
    select * from {{ ref('stg_document') }}
),

ranked as (
    select
        document_id,
        department_name,
        fiscal_year,
        document_kind,
        scope,
        loaded_at,
        row_number() over (
            partition by department_name, fiscal_year, document_kind, scope
            order by loaded_at desc nulls last, extracted_at desc nulls last, document_id desc
        ) as load_rank,
        count(*) over (
            partition by department_name, fiscal_year, document_kind, scope
        ) as candidate_document_count
    from documents
)

select
    document_id,
    department_name,
    fiscal_year,
    document_kind,
    scope,
    loaded_at,
    candidate_document_count
from ranked
where load_rank = 1
