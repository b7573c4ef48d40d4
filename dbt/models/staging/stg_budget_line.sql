with source as (
    select * from {{ source('raw', 'budget_line') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(statement as varchar) as statement,
        cast(section as varchar) as section,
        cast(item_code as varchar) as item_code,
        cast(item_name as varchar) as item_name,
        cast(measure as varchar) as measure,
        cast(amount_yuan as decimal(18, 2)) as amount_yuan,
        cast(printed_amount as varchar) as printed_amount,
        cast(printed_unit as varchar) as printed_unit,
        cast(source_page as integer) as source_page,
        cast(source_table as integer) as source_table,
        cast(source_row as integer) as source_row,
        cast(source_col as integer) as source_col,
        cast(budget_unit as varchar) as budget_unit,
        cast(period as varchar) as period,
        cast(text_source as varchar) as text_source,
        cast(ocr_confidence as double) as ocr_confidence
    from source
)

select * from renamed
