-- A view, as the release mart over it: the publisher writes raw.release into the
-- published copy after the build, and both must show that row without another build.
{{ config(materialized='view') }}

with source as (
    select * from {{ source('raw', 'release') }}
),

renamed as (
    select
        cast(release_id as varchar) as release_id,
        cast(published_at as timestamp) as published_at,
        cast(previous_release_id as varchar) as previous_release_id,
        cast(documents_added as integer) as documents_added,
        cast(documents_superseded as integer) as documents_superseded,
        cast(documents_removed as integer) as documents_removed,
        cast(mart_rows as varchar) as mart_rows,
        cast(package_version as varchar) as package_version,
        cast(parser_version as varchar) as parser_version
    from source
)

select * from renamed
