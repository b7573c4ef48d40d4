with source as (
    select * from {{ source('raw', 'headline') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(metric as varchar) as metric,
        cast(value_yuan as decimal(18, 2)) as value_yuan,
        cast(statement as varchar) as statement,
        cast(source_page as integer) as source_page,
        cast(source_table as integer) as source_table,
        cast(source_row as integer) as source_row,
        cast(source_col as integer) as source_col
    from source
)

select * from renamed
