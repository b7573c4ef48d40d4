with source as (
    select * from {{ source('raw', 'narrative_claim') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(subject as varchar) as subject,
        cast(subject_text as varchar) as subject_text,
        cast(amount_yuan as decimal(18, 2)) as amount_yuan,
        cast(change_yuan as decimal(18, 2)) as change_yuan,
        cast(direction as varchar) as direction,
        cast(change_pct as decimal(18, 2)) as change_pct,
        cast(basis as varchar) as basis,
        cast(basis_year as integer) as basis_year,
        cast(source_page as integer) as source_page,
        cast(claim_index as integer) as claim_index,
        cast(sentence as varchar) as sentence
    from source
)

select * from renamed
