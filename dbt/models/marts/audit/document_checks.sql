-- One row per document the pipeline has seen: every loaded version (superseded ones
-- included, with their checks) and every quarantined file, with why it was refused.
-- Both parts list the same columns in the same order (a positional union).
-- What `yusuan status` prints and the report's data-quality panel shows.

with documents as (
    select * from {{ ref('int_document_version') }}
),

checks as (
    select * from {{ ref('stg_reconciliation') }}
),

quarantined as (
    select * from {{ ref('stg_quarantine') }}
),

counts as (
    select
        document_id,
        count(*) filter (where status = 'pass') as checks_passed,
        count(*) filter (where status = 'warn') as checks_warned,
        count(*) filter (where status = 'fail') as checks_failed,
        count(*) filter (where status = 'withheld') as checks_withheld,
        -- the first page with a broken identity or a withheld headline, else the first page checked
        coalesce(min(source_page) filter (where status <> 'pass'), min(source_page)) as source_page
    from checks
    group by document_id
),

loaded as (
    select
        documents.document_id,
        documents.file_path,
        documents.file_name,
        'loaded' as outcome,
        documents.department_id,
        documents.department_name,
        documents.fiscal_year,
        documents.document_kind,
        documents.scope,
        documents.is_current,
        documents.loaded_at,
        cast(null as varchar) as stage,
        cast(null as varchar) as reason,
        cast(null as varchar) as details,
        cast(null as timestamp) as first_seen,
        cast(null as timestamp) as last_seen,
        cast(coalesce(counts.checks_passed, 0) as integer) as checks_passed,
        cast(coalesce(counts.checks_warned, 0) as integer) as checks_warned,
        cast(coalesce(counts.checks_failed, 0) as integer) as checks_failed,
        cast(coalesce(counts.checks_withheld, 0) as integer) as checks_withheld,
        counts.source_page
    from documents
    left join counts
        on counts.document_id = documents.document_id
),

refused as (
    select
        document_id,
        file_path,
        regexp_extract(file_path, '[^/\\]*$') as file_name,
        'quarantined' as outcome,
        cast(null as varchar) as department_id,
        cast(null as varchar) as department_name,
        cast(null as integer) as fiscal_year,
        cast(null as varchar) as document_kind,
        cast(null as varchar) as scope,
        cast(null as boolean) as is_current,
        cast(null as timestamp) as loaded_at,
        stage,
        reason,
        details,
        first_seen,
        last_seen,
        cast(0 as integer) as checks_passed,
        cast(0 as integer) as checks_warned,
        cast(0 as integer) as checks_failed,
        cast(0 as integer) as checks_withheld,
        cast(null as integer) as source_page
    from quarantined
)

select * from loaded
union all
select * from refused
