-- Every identity checked, per current document (a superseded version's checks stay in
-- raw.reconciliation and count in document_checks): what analysts read to see which
-- checks a document's numbers pass, and by how much a printed figure breaks one.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail', pre_hook="{{ delete_changed('document_id') }}") }}
select
    checks.document_id,
    documents.department_name,
    documents.fiscal_year,
    documents.document_kind,
    checks.check_name,
    checks.statement,
    checks.subject,
    checks.expected_yuan,
    checks.actual_yuan,
    checks.difference_yuan,
    checks.tolerance_yuan,
    checks.status,
    checks.source_page,
    checks.source_row
from {{ ref('stg_reconciliation') }} as checks
inner join {{ ref('int_current_document') }} as documents
    on checks.document_id = documents.document_id
where {{ in_changed('document_id', 'checks.document_id') }}
