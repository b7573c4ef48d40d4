with source as (
    select * from {{ source('raw', 'quarantine') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(file_path as varchar) as file_path,
        cast(stage as varchar) as stage,
        cast(reason as varchar) as reason,
        cast(details as varchar) as details,
        cast(first_seen as timestamp) as first_seen,
        cast(last_seen as timestamp) as last_seen
    from source
)

select * from renamed
