with source as (
    select * from {{ source('raw', 'document') }}
),

renamed as (
    select
        cast(document_id as varchar) as document_id,
        cast(file_path as varchar) as file_path,
        cast(file_name as varchar) as file_name,
        cast(department_name as varchar) as department_name,
        cast(fiscal_year as integer) as fiscal_year,
        cast(document_kind as varchar) as document_kind,
        cast(scope as varchar) as scope,
        cast(printed_unit as varchar) as printed_unit,
        cast(pages as integer) as pages,
        cast(extracted_at as timestamp) as extracted_at,
        cast(loaded_at as timestamp) as loaded_at
    from source
)

select * from renamed
