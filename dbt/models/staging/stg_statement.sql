with source as (
    select * from {{ source('raw', 'statement') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(statement as varchar) as statement,
        cast(printed_title as varchar) as printed_title,
        cast(printed_unit as varchar) as printed_unit,
        cast(first_page as integer) as first_page,
        cast(last_page as integer) as last_page,
        cast(first_table as integer) as first_table,
        cast(body_rows as integer) as body_rows,
        cast(line_count as integer) as line_count,
        cast(is_empty as boolean) as is_empty
    from source
)

select * from renamed
