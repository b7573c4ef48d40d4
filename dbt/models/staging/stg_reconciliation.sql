with source as (
    select * from {{ source('raw', 'reconciliation') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(check_name as varchar) as check_name,
        cast(statement as varchar) as statement,
        cast(subject as varchar) as subject,
        cast(expected_yuan as decimal(18, 2)) as expected_yuan,
        cast(actual_yuan as decimal(18, 2)) as actual_yuan,
        cast(difference_yuan as decimal(18, 2)) as difference_yuan,
        cast(tolerance_yuan as decimal(18, 2)) as tolerance_yuan,
        cast(status as varchar) as status,
        cast(source_page as integer) as source_page,
        cast(source_row as integer) as source_row
    from source
)

select * from renamed
