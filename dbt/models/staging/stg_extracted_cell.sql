with source as (
    select * from {{ source('raw', 'extracted_cell') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(page as integer) as source_page,
        cast(table_index as integer) as source_table,
        cast(row_index as integer) as source_row,
        cast(col_index as integer) as source_col,
        cast(text as varchar) as cell_text
    from source
)

select * from renamed
