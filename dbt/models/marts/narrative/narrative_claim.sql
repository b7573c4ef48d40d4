-- What the prose (说明) of each current document states about its figures, one row per
-- claim and subject, with the document's department and year. compared_year is the
-- year the change is against (the year the basis names, else the previous fiscal year);
-- implied_previous_yuan is the figure the claim implies for it (amount - change).
-- Incremental per department (macros/incremental_departments.sql).
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('department_id') }}") }}

with claims as (
    select * from {{ ref('stg_narrative_claim') }}
),

documents as (
    select * from {{ ref('int_current_document') }}
    where {{ in_changed('department_id') }}
),

all_documents as (
    select * from {{ ref('dim_document') }}
)

select
    claims.document_id,
    claims.claim_index,
    documents.department_id,
    documents.fiscal_year,
    documents.document_kind,
    documents.scope,
    all_documents.file_name,
    claims.subject,
    claims.subject_text,
    claims.amount_yuan,
    claims.change_yuan,
    claims.direction,
    claims.change_pct,
    claims.basis,
    claims.basis_year,
    case when claims.basis is not null then coalesce(claims.basis_year, documents.fiscal_year - 1) end
        as compared_year,
    cast(claims.amount_yuan - claims.change_yuan as decimal(18, 2)) as implied_previous_yuan,
    claims.source_page,
    claims.sentence
from claims
inner join documents
    on claims.document_id = documents.document_id
inner join all_documents
    on claims.document_id = all_documents.document_id
